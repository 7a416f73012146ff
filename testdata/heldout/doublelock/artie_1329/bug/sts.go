// Package bug is a held-out kernel (issue 14): an STS credentials cache
// whose getter holds the cache lock (released by a defer) while it calls
// the refresh function, which takes the same lock, so the first request
// after the session expires deadlocks.
//
// Upstream: artie-labs/transfer#1329 ("Removing potential STS Deadlock")
// Round: 6
//
// Bug: retrieveCredentials locks c.mu and defers the unlock; when the
// cached session has expired it calls refresh, which also locks c.mu to
// store the new credentials. The deferred unlock runs only when the outer
// call returns, so the inner Lock waits for ever, and every writer sharing
// the client waits behind it. The PR says exactly this ("defer runs in the
// outer call stack"); the AWS client is an interface and the bodies are
// our reduction.
//
// Fix: the expiry check happens under the lock, which is released before
// refresh takes it.
package bug

import (
	"context"
	"sync"
	"time"
)

// Credentials are temporary AWS credentials.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expires         time.Time
}

// STSAPI assumes a role.
type STSAPI interface {
	AssumeRole(ctx context.Context, roleARN, sessionName string) (Credentials, error)
}

type credentialsClient struct {
	sts         STSAPI
	roleARN     string
	sessionName string

	mu          sync.Mutex
	credentials *Credentials
}

func (c *credentialsClient) refresh(ctx context.Context) (Credentials, error) {
	creds, err := c.sts.AssumeRole(ctx, c.roleARN, c.sessionName)
	if err != nil {
		return Credentials{}, err
	}
	c.mu.Lock() // heldout:site
	defer c.mu.Unlock()
	c.credentials = &creds
	return creds, nil
}

func (c *credentialsClient) retrieveCredentials(ctx context.Context) (Credentials, error) {
	c.mu.Lock() // heldout:site
	defer c.mu.Unlock()
	if c.credentials == nil || time.Now().Add(time.Minute).After(c.credentials.Expires) {
		return c.refresh(ctx)
	}
	return *c.credentials, nil
}
