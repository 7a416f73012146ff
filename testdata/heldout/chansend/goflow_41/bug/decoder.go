// Package bug is a held-out kernel (issue 14): a decoder worker that parks
// on handing its input channel to the pool, so Stop's send on its quit
// channel is never received.
//
// Upstream: cloudflare/goflow#41 ("Fix for #40: change the position of the channel")
// Round: 14
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: each Worker of goflow's decoder Processor loops: it first offers its
// own InMsg channel to the shared, unbuffered WorkerPool ("w.WorkerPool <-
// w.InMsg"), and only then selects on Quit and InMsg. ProcessMessage takes
// a worker's channel from the pool and sends the packet on it. When no more
// packets come (the listener is done and calls Processor.Stop), every idle
// worker is parked on the pool send, outside the select, so Stop's
// "w.Quit <- true" blocks for ever on the first worker, and the workers stay
// parked on the pool send. Upstream's quit case used "break", which only
// leaves the select; the kernel returns in both versions. The UDP listener
// is reduced to Serve ranging over a slice of packets.
//
// Fix: the pool send became a case of the select ("case w.WorkerPool <-
// w.InMsg:" then a receive on InMsg), so a worker waiting for work also
// listens on Quit.
package bug

import "time"

// Message is one packet to decode.
type Message interface{}

// DecoderFunc decodes one packet.
type DecoderFunc func(msg interface{}) error

// DoneCallback is told how long a decode took.
type DoneCallback func(string, int, time.Time, time.Time)

// DecoderParams holds the function to call per packet.
type DecoderParams struct {
	DecoderFunc  DecoderFunc
	DoneCallback DoneCallback
}

// Worker decodes the packets handed to its InMsg channel.
type Worker struct {
	Id            int
	DecoderParams DecoderParams
	WorkerPool    chan chan Message
	Name          string
	InMsg         chan Message
	Quit          chan bool
}

// CreateWorker makes a worker attached to the pool.
func CreateWorker(workerPool chan chan Message, params DecoderParams, id int, name string) Worker {
	return Worker{
		Id:            id,
		DecoderParams: params,
		WorkerPool:    workerPool,
		Name:          name,
		InMsg:         make(chan Message),
		Quit:          make(chan bool),
	}
}

// Start launches the worker's loop.
func (w Worker) Start() {
	go func() {
		for {
			w.WorkerPool <- w.InMsg // heldout:site
			select {
			case <-w.Quit:
				return
			case msg := <-w.InMsg:
				w.decode(msg)
			}
		}
	}()
}

func (w Worker) decode(msg Message) {
	start := time.Now()
	err := w.DecoderParams.DecoderFunc(msg)
	if err == nil && w.DecoderParams.DoneCallback != nil {
		w.DecoderParams.DoneCallback(w.Name, w.Id, start, time.Now())
	}
}

// Stop tells the worker to quit.
func (w Worker) Stop() {
	w.Quit <- true // heldout:site
}

// Processor dispatches packets to a pool of workers.
type Processor struct {
	workerpool chan chan Message
	workerlist []Worker
	Name       string
}

// CreateProcessor makes numWorkers workers sharing one pool.
func CreateProcessor(numWorkers int, params DecoderParams, name string) Processor {
	p := Processor{
		workerpool: make(chan chan Message),
		workerlist: make([]Worker, numWorkers),
		Name:       name,
	}
	for i := 0; i < numWorkers; i++ {
		p.workerlist[i] = CreateWorker(p.workerpool, params, i, name)
	}
	return p
}

// Start starts every worker.
func (p Processor) Start() {
	for _, w := range p.workerlist {
		w.Start()
	}
}

// Stop stops every worker.
func (p Processor) Stop() {
	for _, w := range p.workerlist {
		w.Stop()
	}
}

// ProcessMessage hands msg to the next idle worker.
func (p Processor) ProcessMessage(msg Message) {
	sendChannel := <-p.workerpool
	sendChannel <- msg
}

// Serve decodes packets with a pool of workers, then stops the pool.
func Serve(packets []Message, workers int, decode DecoderFunc) {
	p := CreateProcessor(workers, DecoderParams{DecoderFunc: decode}, "netflow")
	p.Start()
	for _, pkt := range packets {
		p.ProcessMessage(pkt)
	}
	p.Stop()
}
