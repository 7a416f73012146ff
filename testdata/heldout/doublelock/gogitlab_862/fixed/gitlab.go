// Package fixed is the fixed version of doublelock/gogitlab_862: setAuth
// releases the read lock before it calls requestOAuthToken.
package fixed

import (
	"context"
	"net/http"
	"net/url"
	"sync"
)

type authType int

const (
	basicAuth authType = iota
	oAuthToken
	privateToken
)

// TokenSource fetches an OAuth token with a username and password.
type TokenSource interface {
	PasswordToken(ctx context.Context, username, password string) (string, error)
}

// Client manages communication with the GitLab API.
type Client struct {
	baseURL *url.URL

	authType           authType
	username, password string
	source             TokenSource

	// token is the token used for authenticated calls; tokenLock
	// protects it from concurrent reads and writes.
	token     string
	tokenLock sync.RWMutex

	UserAgent string
}

// NewBasicAuthClient returns a client that logs in with username and
// password on its first request.
func NewBasicAuthClient(base *url.URL, username, password string, source TokenSource) *Client {
	return &Client{baseURL: base, authType: basicAuth, username: username, password: password, source: source}
}

func (c *Client) requestOAuthToken(ctx context.Context) (string, error) {
	c.tokenLock.Lock()
	defer c.tokenLock.Unlock()

	if c.token != "" {
		return c.token, nil
	}
	token, err := c.source.PasswordToken(ctx, c.username, c.password)
	if err != nil {
		return "", err
	}
	c.token = token
	return token, nil
}

// setAuth returns the header value that authenticates a request.
func (c *Client) setAuth(ctx context.Context) (string, error) {
	switch c.authType {
	case basicAuth:
		c.tokenLock.RLock()
		token := c.token
		c.tokenLock.RUnlock()
		if token == "" {
			return c.requestOAuthToken(ctx)
		}
		return token, nil
	default:
		c.tokenLock.RLock()
		defer c.tokenLock.RUnlock()
		return c.token, nil
	}
}

// NewRequest creates an authenticated API request for path.
func (c *Client) NewRequest(ctx context.Context, method, path string) (*http.Request, error) {
	u := *c.baseURL
	u.Path = c.baseURL.Path + path
	req, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
	if err != nil {
		return nil, err
	}
	token, err := c.setAuth(ctx)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}
	return req, nil
}
