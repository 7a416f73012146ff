// Package bug is a held-out kernel (issue 14): an invoice registry that,
// while holding its lock to process an incoming HTLC, hands an invoice
// expiry to the expiry watcher over the watcher's unbuffered channel, while
// the watcher's loop is cancelling an expired invoice through the registry
// and waits for the same lock.
//
// Upstream: lightningnetwork/lnd#6332 ("invoices: fix deadlock in invoice registry")
// Round: 12
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: NotifyExitHopHtlc takes the registry lock and runs
// notifyExitHopHtlcLocked, which, for an invoice the HTLC leaves open,
// calls expiryWatcher.AddInvoices; that sends on newInvoices, which only
// the watcher's mainLoop receives. mainLoop first cancels any expired
// invoice through the registry's cancelInvoice callback, which takes the
// registry lock. With an invoice expiring just as an HTLC for another
// arrives, the registry waits for the watcher to receive and the watcher
// waits for the registry's lock (issue #6331: payments and the HTLC switch
// stopped behind it).
//
// Fix: notifyExitHopHtlcLocked returns the expiry instead of adding it, and
// NotifyExitHopHtlc adds it to the watcher after releasing the lock. (The
// first version of the PR only buffered newInvoices; the reviewers noted
// that still deadlocks once the buffer fills.) Which HTLCs leave the invoice
// open is reduced to a flag; the clock and priority queue are ours.
package bug

import (
	"errors"
	"sort"
	"sync"
	"time"
)

// Hash is a payment hash.
type Hash [32]byte

// ContractState is an invoice's state.
type ContractState int

const (
	ContractOpen ContractState = iota
	ContractAccepted
	ContractSettled
	ContractCanceled
)

// Invoice is a stored invoice.
type Invoice struct {
	State        ContractState
	CreationDate time.Time
	Expiry       time.Duration
}

// ErrInvoiceNotFound is returned for an unknown payment hash.
var ErrInvoiceNotFound = errors.New("invoice not found")

type invoiceExpiry struct {
	PaymentHash Hash
	Expiry      time.Time
}

// InvoiceExpiryWatcher cancels invoices when they expire.
type InvoiceExpiryWatcher struct {
	sync.Mutex
	started bool

	cancelInvoice func(Hash) error
	queue         []invoiceExpiry // sorted by Expiry
	newInvoices   chan []invoiceExpiry

	wg   sync.WaitGroup
	quit chan struct{}
}

// NewInvoiceExpiryWatcher returns a watcher; Start runs it.
func NewInvoiceExpiryWatcher() *InvoiceExpiryWatcher {
	return &InvoiceExpiryWatcher{
		newInvoices: make(chan []invoiceExpiry),
		quit:        make(chan struct{}),
	}
}

// Start runs the main loop, cancelling expired invoices with cancelInvoice.
func (ew *InvoiceExpiryWatcher) Start(cancelInvoice func(Hash) error) error {
	ew.Lock()
	defer ew.Unlock()
	if ew.started {
		return errors.New("already started")
	}
	ew.started = true
	ew.cancelInvoice = cancelInvoice
	ew.wg.Add(1)
	go ew.mainLoop()
	return nil
}

// Stop quits the main loop and waits for it.
func (ew *InvoiceExpiryWatcher) Stop() {
	ew.Lock()
	defer ew.Unlock()
	if ew.started {
		close(ew.quit)
		ew.wg.Wait()
		ew.started = false
	}
}

// AddInvoices adds invoices to watch.
func (ew *InvoiceExpiryWatcher) AddInvoices(invoices ...invoiceExpiry) {
	if len(invoices) == 0 {
		return
	}
	select {
	case ew.newInvoices <- invoices: // heldout:site
	case <-ew.quit:
	}
}

func (ew *InvoiceExpiryWatcher) pushInvoices(invoices []invoiceExpiry) {
	ew.queue = append(ew.queue, invoices...)
	sort.Slice(ew.queue, func(i, j int) bool { return ew.queue[i].Expiry.Before(ew.queue[j].Expiry) })
}

func (ew *InvoiceExpiryWatcher) nextTimestampExpiry() <-chan time.Time {
	if len(ew.queue) > 0 {
		return time.After(time.Until(ew.queue[0].Expiry))
	}
	return nil
}

func (ew *InvoiceExpiryWatcher) cancelNextExpiredInvoice() {
	if len(ew.queue) == 0 || ew.queue[0].Expiry.After(time.Now()) {
		return
	}
	top := ew.queue[0]
	_ = ew.cancelInvoice(top.PaymentHash) // heldout:site
	ew.queue = ew.queue[1:]
}

func (ew *InvoiceExpiryWatcher) mainLoop() {
	defer ew.wg.Done()
	for {
		ew.cancelNextExpiredInvoice()

		select {
		case newInvoices := <-ew.newInvoices:
			ew.pushInvoices(newInvoices)
			continue
		default:
			select {
			case <-ew.nextTimestampExpiry():
				continue
			case newInvoices := <-ew.newInvoices:
				ew.pushInvoices(newInvoices)
			case <-ew.quit:
				return
			}
		}
	}
}

func makeInvoiceExpiry(hash Hash, inv *Invoice) []invoiceExpiry {
	if inv.State != ContractOpen {
		return nil
	}
	return []invoiceExpiry{{PaymentHash: hash, Expiry: inv.CreationDate.Add(inv.Expiry)}}
}

// InvoiceRegistry holds the node's invoices.
type InvoiceRegistry struct {
	sync.RWMutex
	invoices      map[Hash]*Invoice
	expiryWatcher *InvoiceExpiryWatcher
}

// NewRegistry returns a registry using the given watcher.
func NewRegistry(ew *InvoiceExpiryWatcher) *InvoiceRegistry {
	return &InvoiceRegistry{invoices: map[Hash]*Invoice{}, expiryWatcher: ew}
}

// Start starts the expiry watcher.
func (i *InvoiceRegistry) Start() error {
	return i.expiryWatcher.Start(i.cancelInvoice)
}

// Stop stops the expiry watcher.
func (i *InvoiceRegistry) Stop() { i.expiryWatcher.Stop() }

// AddInvoice adds an invoice and watches its expiry.
func (i *InvoiceRegistry) AddInvoice(hash Hash, inv *Invoice) {
	i.Lock()
	i.invoices[hash] = inv
	i.Unlock()
	i.expiryWatcher.AddInvoices(makeInvoiceExpiry(hash, inv)...)
}

// cancelInvoice cancels an open invoice; the expiry watcher calls it.
func (i *InvoiceRegistry) cancelInvoice(hash Hash) error {
	i.Lock() // heldout:site
	defer i.Unlock()
	inv, ok := i.invoices[hash]
	if !ok {
		return ErrInvoiceNotFound
	}
	if inv.State == ContractOpen || inv.State == ContractAccepted {
		inv.State = ContractCanceled
	}
	return nil
}

// NotifyExitHopHtlc processes an HTLC paying hash; accept says whether it
// completes the payment set, or leaves the invoice open.
func (i *InvoiceRegistry) NotifyExitHopHtlc(hash Hash, accept bool) (ContractState, error) {
	i.Lock()
	defer i.Unlock()
	return i.notifyExitHopHtlcLocked(hash, accept)
}

// notifyExitHopHtlcLocked is NotifyExitHopHtlc's body, run under the lock.
func (i *InvoiceRegistry) notifyExitHopHtlcLocked(hash Hash, accept bool) (ContractState, error) {
	inv, ok := i.invoices[hash]
	if !ok {
		return 0, ErrInvoiceNotFound
	}
	if inv.State != ContractOpen {
		return inv.State, nil
	}
	if accept {
		inv.State = ContractAccepted
		return inv.State, nil
	}
	// The invoice stays open: keep watching its expiry.
	i.expiryWatcher.AddInvoices(makeInvoiceExpiry(hash, inv)...) // heldout:site
	return inv.State, nil
}
