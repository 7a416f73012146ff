// Package bug is a held-out kernel (issue 14): nested RLock of an RWMutex
// while a certificate reload queues for the write lock.
//
// Upstream: minio/minio#16136 ("kms: fix possible deadlock due to nested RLock calls.")
// Seen: 2026-11-27, development set (helpers read this round-1 kernel to tune the analyzers; round 2 stays held out)
//
// Bug: kesClient.DecryptAll read-locks c.lock and calls Decrypt for each
// ciphertext, which read-locks c.lock again; a KES certificate reload
// goroutine that asks for c.lock.Lock() in between blocks every new reader,
// including DecryptAll's nested one, while it waits for DecryptAll.
//
// Fix: DecryptAll calls the KES client directly under its single RLock.
package bug

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
	c.lock.RLock() // heldout:site
	defer c.lock.RUnlock()
	return c.client.Decrypt(context.Background(), keyID, ciphertext, nil)
}

// DecryptAll decrypts all ciphertexts with the same key.
func (c *kesClient) DecryptAll(ctx context.Context, keyID string, ciphertexts [][]byte, contexts []Context) ([][]byte, error) {
	c.lock.RLock()
	defer c.lock.RUnlock()

	plaintexts := make([][]byte, 0, len(ciphertexts))
	for i := range ciphertexts {
		plaintext, err := c.Decrypt(keyID, ciphertexts[i], contexts[i]) // heldout:site
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
			c.lock.Lock() // heldout:site
			c.client = &client{endpoint: endpoint}
			c.lock.Unlock()
		}
	}()
	return c
}
