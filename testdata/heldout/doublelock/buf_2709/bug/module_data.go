// Package bug is a held-out kernel (issue 14): a function wrapped in
// sync.OnceValue that recurses into itself, blocking on the Once it is
// running under.
//
// Upstream: bufbuild/buf#2709 ("Fix deadlock on ModuleData methods")
// Seen: 2026-11-27, development set (helpers read this round-1 kernel to tune the analyzers; round 2 stays held out)
//
// Bug: moduleData.checkDigest is a sync.OnceValue whose function reads the
// module's bucket through Bucket(), and Bucket() first calls checkDigest:
// the inner call waits for the outer Once to finish, which waits for it.
//
// Fix: the digest check reads the bucket through getBucket directly.
package bug

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
		bucket, err := md.Bucket() // heldout:site
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
	if err := md.checkDigest(); err != nil { // heldout:site
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
