// Package fixed is the fixed version of lockheld/vault_2974: every error
// return in the key-type switch gives back the policy's exclusive lock.
//
// Upstream: hashicorp/vault#2974 ("Properly unlock policy when returning key setting errors")
// Round: 19
package fixed

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

const (
	shared    = false
	exclusive = true
)

var errNeedExclusiveLock = errors.New("an exclusive lock is needed for this operation")

// KeyType is the type of a transit key.
type KeyType int

const (
	KeyType_AES256_GCM96 KeyType = iota
	KeyType_ECDSA_P256
	KeyType_RSA2048
)

// Storage loads and stores policies.
type Storage interface {
	Get(ctx context.Context, key string) (*Policy, error)
	Put(ctx context.Context, key string, p *Policy) error
}

// Policy is a named key.
type Policy struct {
	Name                 string
	Type                 KeyType
	Derived              bool
	ConvergentEncryption bool
}

// PolicyRequest holds the values used when requesting a policy.
type PolicyRequest struct {
	Storage    Storage
	Name       string
	KeyType    KeyType
	Derived    bool
	Convergent bool
	Upsert     bool
}

// LockManager holds a lock per named key and a cache of policies.
type LockManager struct {
	locks      map[string]*sync.RWMutex
	locksMutex sync.RWMutex

	cache      map[string]*Policy
	cacheMutex sync.RWMutex
}

// NewLockManager returns a lock manager with caching enabled.
func NewLockManager() *LockManager {
	return &LockManager{
		locks: map[string]*sync.RWMutex{},
		cache: map[string]*Policy{},
	}
}

func (lm *LockManager) policyLock(name string, lockType bool) *sync.RWMutex {
	lm.locksMutex.RLock()
	lock := lm.locks[name]
	if lock != nil {
		lm.locksMutex.RUnlock()
		if lockType == exclusive {
			lock.Lock()
		} else {
			lock.RLock()
		}
		return lock
	}

	lm.locksMutex.RUnlock()
	lm.locksMutex.Lock()
	lock = lm.locks[name]
	if lock != nil {
		lm.locksMutex.Unlock()
		if lockType == exclusive {
			lock.Lock()
		} else {
			lock.RLock()
		}
		return lock
	}

	lock = &sync.RWMutex{}
	lm.locks[name] = lock
	lm.locksMutex.Unlock()
	if lockType == exclusive {
		lock.Lock()
	} else {
		lock.RLock()
	}
	return lock
}

// UnlockPolicy gives back a lock taken by policyLock.
func (lm *LockManager) UnlockPolicy(lock *sync.RWMutex, lockType bool) {
	if lockType == exclusive {
		lock.Unlock()
	} else {
		lock.RUnlock()
	}
}

// GetPolicyShared returns the policy with its read lock held.
func (lm *LockManager) GetPolicyShared(ctx context.Context, storage Storage, name string) (*Policy, *sync.RWMutex, error) {
	p, lock, _, err := lm.getPolicyCommon(ctx, PolicyRequest{Storage: storage, Name: name}, shared)
	return p, lock, err
}

// GetPolicyUpsert returns the policy, creating it if needed, with its read
// lock held.
func (lm *LockManager) GetPolicyUpsert(ctx context.Context, req PolicyRequest) (*Policy, *sync.RWMutex, bool, error) {
	req.Upsert = true

	p, lock, _, err := lm.getPolicyCommon(ctx, req, shared)
	if err == nil || err != errNeedExclusiveLock {
		return p, lock, false, err
	}

	p, lock, upserted, err := lm.getPolicyCommon(ctx, req, exclusive)
	if err != nil || p == nil || lock == nil {
		return p, lock, upserted, err
	}
	lock.Unlock()

	req.Upsert = false
	p, lock, _, err = lm.getPolicyCommon(ctx, req, shared)
	return p, lock, upserted, err
}

// getPolicyCommon returns with the policy's lock held if err == nil and a
// policy is returned; the caller unlocks it.
func (lm *LockManager) getPolicyCommon(ctx context.Context, req PolicyRequest, lockType bool) (*Policy, *sync.RWMutex, bool, error) {
	lock := lm.policyLock(req.Name, lockType)

	lm.cacheMutex.RLock()
	p := lm.cache[req.Name]
	lm.cacheMutex.RUnlock()
	if p != nil {
		return p, lock, false, nil
	}

	p, err := req.Storage.Get(ctx, "policy/"+req.Name)
	if err != nil {
		lm.UnlockPolicy(lock, lockType)
		return nil, nil, false, err
	}

	if p == nil {
		if !req.Upsert {
			lm.UnlockPolicy(lock, lockType)
			return nil, nil, false, nil
		}
		if lockType != exclusive {
			lm.UnlockPolicy(lock, lockType)
			return nil, nil, false, errNeedExclusiveLock
		}

		switch req.KeyType {
		case KeyType_AES256_GCM96:
			if req.Convergent && !req.Derived {
				lm.UnlockPolicy(lock, lockType)
				return nil, nil, false, fmt.Errorf("convergent encryption requires derivation to be enabled")
			}
		case KeyType_ECDSA_P256, KeyType_RSA2048:
			if req.Derived || req.Convergent {
				lm.UnlockPolicy(lock, lockType)
				return nil, nil, false, fmt.Errorf("key derivation and convergent encryption not supported for keys of type %v", req.KeyType)
			}
		default:
			lm.UnlockPolicy(lock, lockType)
			return nil, nil, false, fmt.Errorf("unsupported key type %v", req.KeyType)
		}

		p = &Policy{
			Name:                 req.Name,
			Type:                 req.KeyType,
			Derived:              req.Derived,
			ConvergentEncryption: req.Convergent,
		}
		if err := req.Storage.Put(ctx, "policy/"+req.Name, p); err != nil {
			lm.UnlockPolicy(lock, lockType)
			return nil, nil, false, err
		}

		lm.cacheMutex.Lock()
		defer lm.cacheMutex.Unlock()
		if exp := lm.cache[req.Name]; exp != nil {
			return exp, lock, false, nil
		}
		lm.cache[req.Name] = p
		return p, lock, true, nil
	}

	lm.cacheMutex.Lock()
	defer lm.cacheMutex.Unlock()
	if exp := lm.cache[req.Name]; exp != nil {
		return exp, lock, false, nil
	}
	lm.cache[req.Name] = p
	return p, lock, false, nil
}
