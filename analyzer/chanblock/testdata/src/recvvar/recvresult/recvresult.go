// Variant of chanrecv/vault_8547 (M3+M1: the monitor is a method started
// with go, the lost channel is kept in a field). Blocks: the first
// notification says "still leader", watch returns without closing
// l.lost; runActive's receive from it waits for ever.
package recvresult

type Lock struct {
	notify <-chan bool
	lost   chan struct{}
}

func (l *Lock) watch(stopCh <-chan struct{}) {
	select {
	case isLeader := <-l.notify:
		if !isLeader {
			close(l.lost)
		}
	case <-stopCh:
	}
}

func (l *Lock) Acquire(stopCh <-chan struct{}) <-chan struct{} {
	l.lost = make(chan struct{})
	go l.watch(stopCh)
	return l.lost
}

func runActive(l *Lock, stopCh <-chan struct{}) {
	lost := l.Acquire(stopCh)
	<-lost // want `runActive waits here for field lost of Lock, which only watch`
}
