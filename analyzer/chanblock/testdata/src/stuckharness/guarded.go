package stuckharness

import "sync"

// Look-alike: an optional limit. SetMax makes the token channel once and
// nothing ever stores nil in the field, so Go's "if q.tokens != nil" is
// the same answer in the submitter and in the worker: a token is put in
// before each worker starts and taken back when it ends.
type throttle struct {
	tokens chan struct{}
	wg     sync.WaitGroup
}

// SetMax bounds the workers running at once.
func (q *throttle) SetMax(n int) { q.tokens = make(chan struct{}, n) }

// Go runs task on its own goroutine, within the limit if one is set.
func (q *throttle) Go(task func()) {
	if q.tokens != nil {
		q.tokens <- struct{}{}
	}
	q.wg.Add(1)
	go func() {
		defer q.done()
		task()
	}()
}

func (q *throttle) done() {
	if q.tokens != nil {
		<-q.tokens
	}
	q.wg.Done()
}

// ConvertAll converts every file, four at a time.
func ConvertAll(files []string, convert func(string)) {
	q := &throttle{}
	q.SetMax(4)
	for _, f := range files {
		q.Go(func() { convert(f) })
	}
	q.wg.Wait()
}
