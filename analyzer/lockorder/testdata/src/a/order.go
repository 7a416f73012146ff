package a

import "sync"

var (
	muA sync.Mutex
	muB sync.Mutex
)

func ab() { // want ab:`^acquires \{g:a\.muA\}, acquires \{g:a\.muB\}$`
	muA.Lock()
	defer muA.Unlock()
	muB.Lock() // want `lock order inversion: ab locks muA \(line 11\) then muB here, while ba locks muB \(line 18\) then muA`
	muB.Unlock()
}

func ba() { // want ba:`^acquires \{g:a\.muA\}, acquires \{g:a\.muB\}$`
	muB.Lock()
	lockA()
	muB.Unlock()
}

func lockA() { // want lockA:`^acquires \{g:a\.muA\}$`
	muA.Lock()
	muA.Unlock()
}

// Fields of one receiver in both orders.
func (t *T) first() { // want first:`^acquires \{p0\}\.a, acquires \{p0\}\.c$`
	t.a.Lock()
	t.c.Lock() // want `lock order inversion: first locks t.a`
	t.c.Unlock()
	t.a.Unlock()
}

func (t *T) second() { // want second:`^acquires \{p0\}\.a, acquires \{p0\}\.c$`
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

func cd() { // want cd:`^acquires \{g:a\.muC\}, acquires \{g:a\.muD\}$`
	muC.Lock()
	muD.Lock() // ok: always C then D
	muD.Unlock()
	muC.Unlock()
}

func cdToo() { // want cdToo:`^acquires \{g:a\.muC\}, acquires \{g:a\.muD\}$`
	muC.Lock()
	defer muC.Unlock()
	muD.Lock()
	muD.Unlock()
}

func dTry() { // want dTry:`^acquires \{g:a\.muD\}, releases \{g:a\.muC\}$`
	muD.Lock()
	if muC.TryLock() { // ok: TryLock does not wait
		muC.Unlock()
	}
	muD.Unlock()
}

func dThenCReleased() { // want dThenCReleased:`^acquires \{g:a\.muC\}, acquires \{g:a\.muD\}$`
	muD.Lock()
	muD.Unlock()
	muC.Lock() // ok: D released first
	muC.Unlock()
}

// Different roots: (u, v) may be distinct objects; not reported.
func (t *T) pair(u *T) { // want pair:`^acquires \{p0\}\.a, acquires \{p1\}\.c$`
	t.a.Lock()
	u.c.Lock()
	u.c.Unlock()
	t.a.Unlock()
}

func (t *T) pairRev(u *T) { // want pairRev:`^acquires \{p0\}\.c, acquires \{p1\}\.a$`
	t.c.Lock()
	u.a.Lock()
	u.a.Unlock()
	t.c.Unlock()
}

var rwX, rwY sync.RWMutex

func readXY() { // want readXY:`^acquires \{g:a\.rwX\}, acquires \{g:a\.rwY\}$`
	rwX.RLock()
	rwY.RLock() // ok: read locks do not exclude each other
	rwY.RUnlock()
	rwX.RUnlock()
}

func readYX() { // want readYX:`^acquires \{g:a\.rwX\}, acquires \{g:a\.rwY\}$`
	rwY.RLock()
	rwX.RLock()
	rwX.RUnlock()
	rwY.RUnlock()
}
