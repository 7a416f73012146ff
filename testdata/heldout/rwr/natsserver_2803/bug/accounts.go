// Package bug is a held-out kernel (issue 14): an account method that
// holds the account's read lock and calls a helper that takes the read
// lock again; a writer queued between the two RLocks blocks the second
// one, and the writer waits for the first.
//
// Upstream: nats-io/nats-server#2803 ("[FIXED] Possible deadlock")
// Round: 5
//
// Bug: the PR says the deadlock "is due to a re-entrant RLock()": it works
// until a goroutine asks for the write lock between the two RLocks, after
// which the nested RLock is not granted and the first is never released.
// Which account methods were involved is our reduction: here
// checkServiceImportsForCycles read-locks the account and calls
// serviceImportFor, which read-locks it again, while AddServiceImport
// write-locks it.
//
// Fix: the nested call uses a helper that expects the lock held.
package bug

import "sync"

type serviceImport struct {
	from, to string
	acc      *Account
}

// Account is a NATS account.
type Account struct {
	Name    string
	mu      sync.RWMutex
	imports map[string]*serviceImport
}

// NewAccount returns an empty account.
func NewAccount(name string) *Account {
	return &Account{Name: name, imports: make(map[string]*serviceImport)}
}

// serviceImportFor returns the import for subject.
func (a *Account) serviceImportFor(subject string) *serviceImport {
	a.mu.RLock() // heldout:site
	defer a.mu.RUnlock()
	return a.imports[subject]
}

// checkServiceImportsForCycles reports whether following subject's
// imports comes back to this account.
func (a *Account) checkServiceImportsForCycles(subject string) bool {
	a.mu.RLock() // heldout:site
	defer a.mu.RUnlock()
	for from := range a.imports {
		if from != subject {
			continue
		}
		if si := a.serviceImportFor(from); si != nil && si.acc == a {
			return true
		}
	}
	return false
}

// AddServiceImport adds an import from another account.
func (a *Account) AddServiceImport(dest *Account, from, to string) {
	a.mu.Lock() // heldout:site
	a.imports[from] = &serviceImport{from: from, to: to, acc: dest}
	a.mu.Unlock()
}
