// Package fixed is the fixed version of waitgroup/koding_9121: the fetches
// run in an errgroup-like group whose Go always calls Done.
package fixed

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

// group runs functions and keeps the first error, like errgroup.Group.
type group struct {
	wg      sync.WaitGroup
	errOnce sync.Once
	err     error
}

func (g *group) Go(f func() error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := f(); err != nil {
			g.errOnce.Do(func() { g.err = err })
		}
	}()
}

func (g *group) Wait() error {
	g.wg.Wait()
	return g.err
}

// GetInfo fetches the customer's info from the provider.
func GetInfo(ctx context.Context, p Provider, id string) (*Info, error) {
	info := &Info{}
	var g group
	g.Go(func() (err error) {
		info.Customer, err = p.Customer(ctx, id)
		return err
	})
	g.Go(func() (err error) {
		info.Subscription, err = p.Subscription(ctx, id)
		return err
	})
	g.Go(func() (err error) {
		info.Invoice, err = p.UpcomingInvoice(ctx, id)
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return info, nil
}
