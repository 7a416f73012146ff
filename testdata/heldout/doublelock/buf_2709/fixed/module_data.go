// Package fixed is the fixed version of doublelock/buf_2709: the digest
// check does not go back through Bucket.
package fixed

import (
	"bytes"
	"errors"
	"sync"
)

// ReadBucket is the module's files.
type ReadBucket map[string][]byte

type moduleData struct {
	moduleKey      string
	expectedDigest []byte
	getBucket      func() (ReadBucket, error)
	checkDigest    func() error
}

func newModuleData(key string, digest []byte, load func() (ReadBucket, error)) *moduleData {
	md := &moduleData{moduleKey: key, expectedDigest: digest}
	md.getBucket = sync.OnceValues(load)
	md.checkDigest = sync.OnceValue(func() error {
		bucket, err := md.getBucket()
		if err != nil {
			return err
		}
		if !bytes.Equal(digestOf(bucket), md.expectedDigest) {
			return errors.New("digest mismatch")
		}
		return nil
	})
	return md
}

// Bucket returns the module's files once their digest is checked.
func (md *moduleData) Bucket() (ReadBucket, error) {
	if err := md.checkDigest(); err != nil {
		return nil, err
	}
	return md.getBucket()
}

func digestOf(b ReadBucket) []byte {
	var d []byte
	for name := range b {
		d = append(d, name...)
	}
	return d
}
