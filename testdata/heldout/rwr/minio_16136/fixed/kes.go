// Package fixed is the fixed version of rwr/minio_16136: DecryptAll takes
// the read lock once and calls the KES client directly.
package fixed

import (
	"context"
	"sync"
)

// Context is the encryption context.
type Context map[string]string

// client stands for *kes.Client.
type client struct{ endpoint string }

func (c *client) Decrypt(ctx context.Context, name string, ciphertext []byte, associated []byte) ([]byte, error) {
	return ciphertext, nil
}

type kesClient struct {
	lock         sync.RWMutex
	defaultKeyID string
	client       *client
}

// Decrypt decrypts one ciphertext.
func (c *kesClient) Decrypt(keyID string, ciphertext []byte, ctx Context) ([]byte, error) {
	c.lock.RLock()
	defer c.lock.RUnlock()
	return c.client.Decrypt(context.Background(), keyID, ciphertext, nil)
}

// DecryptAll decrypts all ciphertexts with the same key.
func (c *kesClient) DecryptAll(ctx context.Context, keyID string, ciphertexts [][]byte, contexts []Context) ([][]byte, error) {
	c.lock.RLock()
	defer c.lock.RUnlock()

	plaintexts := make([][]byte, 0, len(ciphertexts))
	for i := range ciphertexts {
		plaintext, err := c.client.Decrypt(ctx, keyID, ciphertexts[i], nil)
		if err != nil {
			return nil, err
		}
		plaintexts = append(plaintexts, plaintext)
	}
	return plaintexts, nil
}

// NewWithConfig starts the certificate reloader.
func NewWithConfig(reloads <-chan string) *kesClient {
	c := &kesClient{client: &client{}}
	go func() {
		for endpoint := range reloads {
			c.lock.Lock()
			c.client = &client{endpoint: endpoint}
			c.lock.Unlock()
		}
	}()
	return c
}
