// Package fixed is the fixed version of rwr/natsserver_2803: the nested
// lookup no longer takes the read lock its caller holds.
package fixed

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
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.serviceImportForLocked(subject)
}

// serviceImportForLocked is serviceImportFor with a.mu held.
func (a *Account) serviceImportForLocked(subject string) *serviceImport {
	return a.imports[subject]
}

// checkServiceImportsForCycles reports whether following subject's
// imports comes back to this account.
func (a *Account) checkServiceImportsForCycles(subject string) bool {
	a.mu.RLock()
	defer a.mu.RUnlock()
	for from := range a.imports {
		if from != subject {
			continue
		}
		if si := a.serviceImportForLocked(from); si != nil && si.acc == a {
			return true
		}
	}
	return false
}

// AddServiceImport adds an import from another account.
func (a *Account) AddServiceImport(dest *Account, from, to string) {
	a.mu.Lock()
	a.imports[from] = &serviceImport{from: from, to: to, acc: dest}
	a.mu.Unlock()
}
