package real

import (
	"context"
	"sync"

	"golang.org/x/sync/errgroup"
)

// Two task groups made from the same parent context, the tasks of one
// sending to the tasks of the other, which can fail (after
// cockroachdb/cockroach#129750, written three other ways).

// Variant 1: errgroup, the senders selecting on the context their
// group's WithContext returned; one receiver ranging over the channel.
type sbPage struct{ body string }

func sbCrawl(ctx context.Context, urls []string, fetch func(context.Context, string) sbPage, store func(sbPage) error) error {
	fetchers, fctx := errgroup.WithContext(ctx) // want `this group's tasks send on a channel \(select at line \d+\) whose only receivers are tasks of the group made at line \d+ from the same parent context; a receiver can return \(line \d+\)`
	storers, _ := errgroup.WithContext(ctx)
	pages := make(chan sbPage)
	for _, u := range urls {
		fetchers.Go(func() error {
			p := fetch(fctx, u)
			select {
			case pages <- p:
			case <-fctx.Done():
				return fctx.Err()
			}
			return nil
		})
	}
	storers.Go(func() error {
		for p := range pages {
			if err := store(p); err != nil {
				return err
			}
		}
		return nil
	})
	go func() {
		_ = fetchers.Wait()
		close(pages)
	}()
	return storers.Wait()
}

// Look-alike: the fetchers' group is made from the storers' context, so a
// storer's failure cancels the fetchers too.
func sbCrawlFixed(ctx context.Context, urls []string, fetch func(context.Context, string) sbPage, store func(sbPage) error) error {
	storers, sctx := errgroup.WithContext(ctx)
	fetchers, fctx := errgroup.WithContext(sctx)
	pages := make(chan sbPage)
	for _, u := range urls {
		fetchers.Go(func() error {
			p := fetch(fctx, u)
			select {
			case pages <- p:
			case <-fctx.Done():
				return fctx.Err()
			}
			return nil
		})
	}
	storers.Go(func() error {
		for p := range pages {
			if err := store(p); err != nil {
				return err
			}
		}
		return nil
	})
	go func() {
		_ = fetchers.Wait()
		close(pages)
	}()
	return storers.Wait()
}

// Variant 2: a group type of the package handing each task its context;
// the receivers select on their context and the channel.
type sbGroup struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
	err    error
}

func sbWithContext(ctx context.Context) *sbGroup {
	ctx, cancel := context.WithCancel(ctx)
	return &sbGroup{ctx: ctx, cancel: cancel}
}

func (g *sbGroup) Go(f func(context.Context) error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := f(g.ctx); err != nil {
			g.once.Do(func() { g.err = err; g.cancel() })
		}
	}()
}

func (g *sbGroup) Wait() error {
	g.wg.Wait()
	g.cancel()
	return g.err
}

func sbIndex(ctx context.Context, docs []string, parse func(string) (int, error), put func(int) error) error {
	parsers := sbWithContext(ctx) // want `this group's tasks send on a channel .* whose only receivers are tasks of the group made at line \d+ from the same parent context`
	writers := sbWithContext(ctx)
	ids := make(chan int, len(docs)/2)
	for _, d := range docs {
		parsers.Go(func(ctx context.Context) error {
			id, err := parse(d)
			if err != nil {
				return err
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case ids <- id:
			}
			return nil
		})
	}
	for range 4 {
		writers.Go(func(ctx context.Context) error {
			for {
				select {
				case <-ctx.Done():
					return ctx.Err()
				case id, ok := <-ids:
					if !ok {
						return nil
					}
					if err := put(id); err != nil {
						return err
					}
				}
			}
		})
	}
	writers.Go(func(ctx context.Context) error {
		err := parsers.Wait()
		close(ids)
		return err
	})
	return writers.Wait()
}

// Look-alike: the receivers never fail inside their loop (errors are
// counted), so they drain the channel to its close.
func sbIndexCounted(ctx context.Context, docs []string, parse func(string) (int, error), put func(int) error) (int, error) {
	parsers := sbWithContext(ctx)
	writers := sbWithContext(ctx)
	ids := make(chan int)
	failed := 0
	for _, d := range docs {
		parsers.Go(func(ctx context.Context) error {
			id, err := parse(d)
			if err != nil {
				return err
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case ids <- id:
			}
			return nil
		})
	}
	writers.Go(func(ctx context.Context) error {
		for id := range ids {
			if put(id) != nil {
				failed++
			}
		}
		return nil
	})
	err := parsers.Wait()
	close(ids)
	_ = writers.Wait()
	return failed, err
}

// Look-alike: a task of the senders' group waits for the receivers'
// group: a receiver's failure fails the senders' group too.
func sbMirror(ctx context.Context, keys []string, copyKey func(string) error) error {
	readers := sbWithContext(ctx)
	writers := sbWithContext(ctx)
	keysCh := make(chan string)
	readers.Go(func(ctx context.Context) error {
		defer close(keysCh)
		for _, k := range keys {
			select {
			case keysCh <- k:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	})
	readers.Go(func(ctx context.Context) error {
		return writers.Wait()
	})
	writers.Go(func(ctx context.Context) error {
		for k := range keysCh {
			if err := copyKey(k); err != nil {
				return err
			}
		}
		return nil
	})
	return readers.Wait()
}

// Variant 3: errgroup again, one producer task feeding several consumer
// tasks that leave on their own group's Done; the producer's group is
// waited for by a consumer task that then closes the channel.
func sbFanOut(ctx context.Context, n int, next func() (string, bool), handle func(context.Context, string) error) error {
	consumers, cctx := errgroup.WithContext(ctx)
	producers, pctx := errgroup.WithContext(ctx) // want `this group's tasks send on a channel \(select at line \d+\) whose only receivers are tasks of the group made at line \d+`
	work := make(chan string, n)
	producers.Go(func() error {
		for {
			item, ok := next()
			if !ok {
				return nil
			}
			select {
			case <-pctx.Done():
				return pctx.Err()
			case work <- item:
			}
		}
	})
	consumers.Go(func() error {
		defer close(work)
		return producers.Wait()
	})
	for range n {
		consumers.Go(func() error {
			for {
				select {
				case <-cctx.Done():
					return cctx.Err()
				case item, ok := <-work:
					if !ok {
						return nil
					}
					if err := handle(cctx, item); err != nil {
						return err
					}
				}
			}
		})
	}
	return consumers.Wait()
}

// Look-alike: the channel is also handed to a helper that drains it, so
// the group's receivers are not its only ones.
func sbDrain(ch <-chan int) {
	for range ch {
	}
}

func sbHanded(ctx context.Context, n int, check func(int) error) error {
	senders := sbWithContext(ctx)
	checkers := sbWithContext(ctx)
	ch := make(chan int)
	senders.Go(func(ctx context.Context) error {
		for i := range n {
			select {
			case ch <- i:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	})
	checkers.Go(func(ctx context.Context) error {
		for v := range ch {
			if err := check(v); err != nil {
				return err
			}
		}
		return nil
	})
	err := checkers.Wait()
	go sbDrain(ch)
	_ = senders.Wait()
	close(ch)
	return err
}
