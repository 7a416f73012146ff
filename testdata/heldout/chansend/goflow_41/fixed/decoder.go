// Package fixed is the fixed version of chansend/goflow_41: the worker
// offers its input channel to the pool inside the select that also watches
// Quit, so Stop is always received.
package fixed

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
			select {
			case <-w.Quit:
				return
			case w.WorkerPool <- w.InMsg:
				msg := <-w.InMsg
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
	w.Quit <- true
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
