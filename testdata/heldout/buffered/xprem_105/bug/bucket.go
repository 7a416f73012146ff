// Package bug is a held-out kernel (issue 14): CreateUpdateFrom copies an
// update's assets with one goroutine per object, each reporting a failure
// on an error channel buffered to 16 that is only read after wg.Wait();
// when more than 16 copies fail, the 17th goroutine blocks on its send
// before its deferred wg.Done, and wg.Wait (and the republish request
// waiting on it) hangs for ever.
//
// Upstream: mercuretechnologies/xprem#105 ("Republish can hang forever instead of failing (deadlock in CreateUpdateFrom)")
// Round: 12
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: for every object listed under the previous update's prefix,
// CreateUpdateFrom does wg.Add(1) and starts a goroutine that takes a slot
// of a semaphore channel sized to runtime.NumCPU(), gets the source object
// and puts it under the new update's prefix, and on either error sends on
// errChan (capacity 16) and returns. The caller waits with wg.Wait(),
// then closes errChan and returns its first error. The update had
// 51 files: with the store failing, 16 errors fill the buffer, the next
// sender blocks for ever (holding its semaphore slot, so the goroutines
// behind it block on the semaphore too), none of them reaches wg.Done,
// and wg.Wait never returns. The AWS SDK and paginator are reduced to an
// ObjectStore interface listing a prefix and getting and putting objects.
//
// Fix (the fixed s3Bucket.go in mercuretechnologies/xprem; the issue does
// not name the PR): the WaitGroup, semaphore and error channel are
// replaced by errgroup.WithContext with SetLimit(runtime.NumCPU()); each
// copy returns its error, g.Wait() returns the first one and cancels the
// others' context. golang.org/x/sync/errgroup is written out here as a
// small limited group.
package bug

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
)

// Object is a listed object.
type Object struct {
	Key  string
	Size int64
}

// ObjectStore is the S3 client.
type ObjectStore interface {
	ListObjects(ctx context.Context, bucket, prefix string) ([]Object, error)
	GetObject(ctx context.Context, bucket, key string) (io.ReadCloser, int64, error)
	PutObject(ctx context.Context, bucket, key string, body io.Reader, size int64) error
}

// Update is one published update.
type Update struct {
	AppId          string
	Branch         string
	RuntimeVersion string
	UpdateId       string
}

// S3Bucket stores updates in an S3 bucket.
type S3Bucket struct {
	BucketName string
	KeyPrefix  string
	client     ObjectStore
}

func (b *S3Bucket) prefixedKey(key string) string {
	return b.KeyPrefix + key
}

// CreateUpdateFrom copies the assets of previousUpdate into a new update.
func (b *S3Bucket) CreateUpdateFrom(previousUpdate *Update, newUpdateId string) (*Update, error) {
	if b.BucketName == "" {
		return nil, errors.New("BucketName not set")
	}
	if previousUpdate == nil {
		return nil, errors.New("previousUpdate is nil")
	}
	if newUpdateId == "" {
		return nil, errors.New("newUpdateId is empty")
	}
	s3Client := b.client

	sourcePrefix := b.prefixedKey(fmt.Sprintf("%s/%s/%s/%s/", previousUpdate.AppId, previousUpdate.Branch, previousUpdate.RuntimeVersion, previousUpdate.UpdateId))
	targetPrefix := b.prefixedKey(fmt.Sprintf("%s/%s/%s/%s/", previousUpdate.AppId, previousUpdate.Branch, previousUpdate.RuntimeVersion, newUpdateId))

	objects, err := s3Client.ListObjects(context.TODO(), b.BucketName, sourcePrefix)
	if err != nil {
		return nil, fmt.Errorf("failed to list objects: %w", err)
	}

	var wg sync.WaitGroup
	errChan := make(chan error, 16) // heldout:site
	sem := make(chan struct{}, runtime.NumCPU())

	for _, object := range objects {
		relPath := strings.TrimPrefix(object.Key, sourcePrefix)
		if relPath == "update-metadata.json" || relPath == ".check" || strings.HasSuffix(relPath, "/") {
			continue
		}
		wg.Add(1)
		go func(srcKey, dstKey string) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()

			body, size, err := s3Client.GetObject(context.TODO(), b.BucketName, srcKey)
			if err != nil {
				errChan <- fmt.Errorf("error getting object %s: %w", srcKey, err) // heldout:site
				return
			}
			defer body.Close()
			if err := s3Client.PutObject(context.TODO(), b.BucketName, dstKey, body, size); err != nil {
				errChan <- fmt.Errorf("error putting object %s: %w", dstKey, err) // heldout:site
				return
			}
		}(object.Key, targetPrefix+relPath)
	}

	wg.Wait() // heldout:site
	close(errChan)
	for e := range errChan {
		if e != nil {
			return nil, e
		}
	}
	return &Update{
		AppId:          previousUpdate.AppId,
		Branch:         previousUpdate.Branch,
		RuntimeVersion: previousUpdate.RuntimeVersion,
		UpdateId:       newUpdateId,
	}, nil
}

// Republish is POST /republish/{branch}: it copies the latest update.
func Republish(b *S3Bucket, latest *Update, newUpdateId string) (*Update, error) {
	return b.CreateUpdateFrom(latest, newUpdateId)
}
