package kernels

import "sync"

// K26. 0xsequence/ethkit#116: the block monitor's Subscribe made a
// subscriber, stored into its unsubscribe field a closure that locks the
// monitor (to remove the subscriber from the monitor's list), and appended
// the subscriber to that list. UnsubscribeAll held the monitor's lock
// while it called Unsubscribe on every subscriber of the list, so the
// closure locked the monitor again on the same goroutine. Fix: copy the
// list under the lock, unlock, then unsubscribe each.
type k26Monitor struct {
	mu          sync.Mutex
	subscribers []*k26Subscriber
}

type k26Subscriber struct {
	done        chan struct{}
	err         error
	unsubscribe func()
}

func (s *k26Subscriber) Unsubscribe() { s.unsubscribe() }

func (m *k26Monitor) Subscribe() *k26Subscriber {
	m.mu.Lock()
	defer m.mu.Unlock()
	sub := &k26Subscriber{done: make(chan struct{})}
	sub.unsubscribe = func() {
		close(sub.done)
		m.mu.Lock()
		defer m.mu.Unlock()
		for i, x := range m.subscribers {
			if x == sub {
				m.subscribers = append(m.subscribers[:i], m.subscribers[i+1:]...)
				return
			}
		}
	}
	m.subscribers = append(m.subscribers, sub)
	return sub
}

func (m *k26Monitor) UnsubscribeAll(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, sub := range m.subscribers {
		sub.err = err
		sub.Unsubscribe() // want `m.mu is locked again inside m.subscribers\[…\].Unsubscribe's stored callback, which locks the object holding it in subscribers \(line \d+\) while this goroutine already holds it`
	}
}

// The callback called directly on an element of the list, and from a
// map of subscribers by name.
func (m *k26Monitor) closeAll() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.subscribers {
		m.subscribers[i].unsubscribe() // want `m.mu is locked again inside the function literal \(line \d+\) while this goroutine already holds it`
	}
}

type k26Registry struct {
	mu     sync.Mutex
	byName map[string]*k26Entry
}

type k26Entry struct{ unsubscribe func() }

func (r *k26Registry) add(name string) {
	s := &k26Entry{}
	s.unsubscribe = func() {
		r.mu.Lock()
		delete(r.byName, name)
		r.mu.Unlock()
	}
	r.mu.Lock()
	r.byName[name] = s
	r.mu.Unlock()
}

func (r *k26Registry) drop(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s, ok := r.byName[name]; ok {
		s.unsubscribe() // want `r.mu is locked again inside the function literal \(line \d+\) while this goroutine already holds it`
	}
}

// The fix: the list is copied under the lock and unsubscribed outside it.
type k26MonitorFixed struct {
	mu          sync.Mutex
	subscribers []*k26SubscriberFixed
}

type k26SubscriberFixed struct {
	err         error
	unsubscribe func()
}

func (s *k26SubscriberFixed) Unsubscribe() { s.unsubscribe() }

func (m *k26MonitorFixed) Subscribe() *k26SubscriberFixed {
	m.mu.Lock()
	defer m.mu.Unlock()
	sub := &k26SubscriberFixed{}
	sub.unsubscribe = func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		for i, x := range m.subscribers {
			if x == sub {
				m.subscribers = append(m.subscribers[:i], m.subscribers[i+1:]...)
				return
			}
		}
	}
	m.subscribers = append(m.subscribers, sub)
	return sub
}

func (m *k26MonitorFixed) UnsubscribeAll(err error) {
	m.mu.Lock()
	subs := append([]*k26SubscriberFixed(nil), m.subscribers...)
	m.mu.Unlock()
	for _, sub := range subs {
		sub.err = err
		sub.Unsubscribe()
	}
}

// A look-alike: the callback locks a monitor, but not the one whose list
// holds the subscriber (it is added to another), so a caller holding the
// list owner's lock does not lock it again.
type k26Bridge struct {
	mu    sync.Mutex
	subs  []*k26BridgeSub
	other *k26Bridge
}

type k26BridgeSub struct{ notify func() }

func (b *k26Bridge) link() {
	o := b.other
	s := &k26BridgeSub{}
	s.notify = func() {
		o.mu.Lock()
		o.mu.Unlock()
	}
	b.mu.Lock()
	b.subs = append(b.subs, s)
	b.mu.Unlock()
}

func (b *k26Bridge) fire() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, s := range b.subs {
		s.notify()
	}
}
