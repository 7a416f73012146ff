// Package fixed is the fixed version of doublelock/artie_1329: the cache
// lock is released before refresh takes it.
package fixed

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
	c.mu.Lock()
	defer c.mu.Unlock()
	c.credentials = &creds
	return creds, nil
}

func (c *credentialsClient) retrieveCredentials(ctx context.Context) (Credentials, error) {
	c.mu.Lock()
	creds := c.credentials
	c.mu.Unlock()
	if creds == nil || time.Now().Add(time.Minute).After(creds.Expires) {
		return c.refresh(ctx)
	}
	return *creds, nil
}
