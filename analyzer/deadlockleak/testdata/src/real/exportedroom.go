package real

import "time"

// Exported result channels with room (session 25, closevar). A timer
// whose goroutine, after its select, sends the fire time once on the
// exported field C: unbuffered, the send blocks forever once the user has
// stopped the timer without reading C (ours, after gdgvda/cron#57).
type OneShot struct {
	C    chan time.Time
	stop chan struct{}
	t    *time.Timer
}

func NewOneShot(d time.Duration) *OneShot {
	o := &OneShot{C: make(chan time.Time), stop: make(chan struct{}), t: time.NewTimer(d)}
	go o.run()
	return o
}

func (o *OneShot) run() {
	select {
	case now := <-o.t.C:
		o.C <- now // want `run returns when the case at line \d+ fires, but this send on OneShot.C does not watch it; the package's users receive from that exported field`
	case <-o.stop:
		o.t.Stop()
	}
}

func (o *OneShot) Stop() { close(o.stop) }

// RoomyOneShot makes C with a buffer of one, and the package sends on it
// once: the send finds room whether or not the user reads. Silent.
type RoomyOneShot struct {
	C    chan time.Time
	stop chan struct{}
	t    *time.Timer
}

func NewRoomyOneShot(d time.Duration) *RoomyOneShot {
	o := &RoomyOneShot{C: make(chan time.Time, 1), stop: make(chan struct{}), t: time.NewTimer(d)}
	go o.run()
	return o
}

func (o *RoomyOneShot) run() {
	select {
	case now := <-o.t.C:
		o.C <- now
	case <-o.stop:
		o.t.Stop()
	}
}

func (o *RoomyOneShot) Stop() { close(o.stop) }

// TwoShot has a buffer of one but sends twice (the fire time, then the
// time it was handled): the second send blocks once the user stopped
// reading.
type TwoShot struct {
	C    chan time.Time
	stop chan struct{}
	t    *time.Timer
}

func NewTwoShot(d time.Duration) *TwoShot {
	o := &TwoShot{C: make(chan time.Time, 1), stop: make(chan struct{}), t: time.NewTimer(d)}
	go o.run()
	return o
}

func (o *TwoShot) run() {
	select {
	case now := <-o.t.C:
		o.C <- now        // want `run returns when the case at line \d+ fires, but this send on TwoShot.C does not watch it`
		o.C <- time.Now() // want `run returns when the case at line \d+ fires, but this send on TwoShot.C does not watch it`
	case <-o.stop:
		o.t.Stop()
	}
}

func (o *TwoShot) Stop() { close(o.stop) }
