package a

import "sync"

var (
	muA sync.Mutex
	muB sync.Mutex
)

func ab() {
	muA.Lock()
	defer muA.Unlock()
	muB.Lock() // want `lock order inversion: ab locks muA \(line 11\) then muB here, while ba locks muB \(line 18\) then muA`
	muB.Unlock()
}

func ba() {
	muB.Lock()
	lockA()
	muB.Unlock()
}

func lockA() {
	muA.Lock()
	muA.Unlock()
}

// Fields of one receiver in both orders.
func (t *T) first() {
	t.a.Lock()
	t.c.Lock() // want `lock order inversion: first locks t.a`
	t.c.Unlock()
	t.a.Unlock()
}

func (t *T) second() {
	t.c.Lock()
	defer t.c.Unlock()
	t.a.Lock()
	t.a.Unlock()
}

// Local mutexes shared by goroutines.
func locals() {
	var x, y sync.Mutex
	go func() {
		x.Lock()
		y.Lock() // want `lock order inversion: a function literal in locals locks x \(line 47\) then y here, while locals locks y \(line 52\) then x \(line 53\)`
		y.Unlock()
		x.Unlock()
	}()
	y.Lock()
	x.Lock()
	x.Unlock()
	y.Unlock()
}

// --- safe look-alikes ---

var muC, muD sync.Mutex

func cd() {
	muC.Lock()
	muD.Lock() // ok: always C then D
	muD.Unlock()
	muC.Unlock()
}

func cdToo() {
	muC.Lock()
	defer muC.Unlock()
	muD.Lock()
	muD.Unlock()
}

func dTry() {
	muD.Lock()
	if muC.TryLock() { // ok: TryLock does not wait
		muC.Unlock()
	}
	muD.Unlock()
}

func dThenCReleased() {
	muD.Lock()
	muD.Unlock()
	muC.Lock() // ok: D released first
	muC.Unlock()
}

// Different roots: (u, v) may be distinct objects; not reported.
func (t *T) pair(u *T) {
	t.a.Lock()
	u.c.Lock()
	u.c.Unlock()
	t.a.Unlock()
}

func (t *T) pairRev(u *T) {
	t.c.Lock()
	u.a.Lock()
	u.a.Unlock()
	t.c.Unlock()
}

var rwX, rwY sync.RWMutex

func readXY() {
	rwX.RLock()
	rwY.RLock() // ok: read locks do not exclude each other
	rwY.RUnlock()
	rwX.RUnlock()
}

func readYX() {
	rwY.RLock()
	rwX.RLock()
	rwX.RUnlock()
	rwY.RUnlock()
}
