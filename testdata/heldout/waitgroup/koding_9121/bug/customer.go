// Package bug is a held-out kernel (issue 14): a payment handler that
// fetches a customer's info from three sources in parallel, where a
// helper returns early on error without calling the WaitGroup's Done.
//
// Upstream: koding/koding#9121 ("payment: fix for missing wg.Done() function call")
// Round: 4
//
// Bug: GetInfo adds three to a WaitGroup and runs each fetch through
// withCheck, which calls wg.Done only when the fetch succeeds. When a
// fetch fails, withCheck records the error and returns early, so the
// counter never reaches zero and GetInfo blocks in wg.Wait forever. The PR
// describes withCheck's early return; the three fetchers are our
// reduction of customer.go.
//
// Fix: the PR replaced the WaitGroup with errgroup. The fixed version
// here uses a small errgroup-like group from the standard library (our
// substitution, to keep the kernel free of x/sync) whose Go always calls
// Done.
package bug

import (
	"context"
	"sync"
)

// Customer is the payment provider's customer record.
type Customer struct {
	ID    string
	Email string
}

// Subscription is the customer's current plan.
type Subscription struct {
	Plan   string
	Status string
}

// Invoice is an upcoming invoice.
type Invoice struct {
	AmountDue int64
}

// Provider is the payment provider's API.
type Provider interface {
	Customer(ctx context.Context, id string) (*Customer, error)
	Subscription(ctx context.Context, id string) (*Subscription, error)
	UpcomingInvoice(ctx context.Context, id string) (*Invoice, error)
}

// Info is everything the billing page shows.
type Info struct {
	Customer     *Customer
	Subscription *Subscription
	Invoice      *Invoice
}

// GetInfo fetches the customer's info from the provider.
func GetInfo(ctx context.Context, p Provider, id string) (*Info, error) {
	var (
		info    = &Info{}
		infoErr error
		mu      sync.Mutex
		wg      sync.WaitGroup
	)

	withCheck := func(f func() error) {
		if err := f(); err != nil {
			mu.Lock()
			infoErr = err
			mu.Unlock()
			return // heldout:site
		}
		wg.Done()
	}

	wg.Add(3)
	go withCheck(func() (err error) {
		info.Customer, err = p.Customer(ctx, id)
		return err
	})
	go withCheck(func() (err error) {
		info.Subscription, err = p.Subscription(ctx, id)
		return err
	})
	go withCheck(func() (err error) {
		info.Invoice, err = p.UpcomingInvoice(ctx, id)
		return err
	})
	wg.Wait() // heldout:site

	if infoErr != nil {
		return nil, infoErr
	}
	return info, nil
}
