// Package fixed is the fixed version of buffered/xprem_105: the copies run
// in an error group limited to runtime.NumCPU() that returns the first
// error, so no copy waits to report its failure.
package fixed

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

	g, gctx := withContext(context.TODO())
	g.SetLimit(runtime.NumCPU())

	for _, object := range objects {
		relPath := strings.TrimPrefix(object.Key, sourcePrefix)
		if relPath == "update-metadata.json" || relPath == ".check" || strings.HasSuffix(relPath, "/") {
			continue
		}
		srcKey := object.Key
		dstKey := targetPrefix + relPath
		g.Go(func() error {
			body, size, err := s3Client.GetObject(gctx, b.BucketName, srcKey)
			if err != nil {
				return fmt.Errorf("error getting object %s: %w", srcKey, err)
			}
			defer body.Close()
			if err := s3Client.PutObject(gctx, b.BucketName, dstKey, body, size); err != nil {
				return fmt.Errorf("error putting object %s: %w", dstKey, err)
			}
			return nil
		})
	}

	if err := g.Wait(); err != nil {
		return nil, err
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

// group is errgroup.Group with WithContext and SetLimit.
type group struct {
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	sem     chan struct{}
	errOnce sync.Once
	err     error
}

func withContext(ctx context.Context) (*group, context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	return &group{cancel: cancel}, ctx
}

// SetLimit limits the number of active goroutines to n.
func (g *group) SetLimit(n int) {
	g.sem = make(chan struct{}, n)
}

// Go waits for a free slot and runs f in a new goroutine.
func (g *group) Go(f func() error) {
	if g.sem != nil {
		g.sem <- struct{}{}
	}
	g.wg.Add(1)
	go func() {
		defer g.done()
		if err := f(); err != nil {
			g.errOnce.Do(func() {
				g.err = err
				if g.cancel != nil {
					g.cancel()
				}
			})
		}
	}()
}

func (g *group) done() {
	if g.sem != nil {
		<-g.sem
	}
	g.wg.Done()
}

// Wait waits for all the goroutines and returns the first error.
func (g *group) Wait() error {
	g.wg.Wait()
	if g.cancel != nil {
		g.cancel()
	}
	return g.err
}
