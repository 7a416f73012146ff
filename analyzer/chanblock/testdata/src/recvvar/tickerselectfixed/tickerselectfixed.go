// Fixed twin of tickerselect: must stay silent. Variant of chanrecv/speedtestgo_142 (M4: a for-select over the ticker
// with a second case on a channel nothing ever sends on). Blocks: Stop
// stops the ticker; neither case can fire again, the goroutine waits for
// ever.
package tickerselectfixed

import "time"

type Sampler struct {
	ticker  *time.Ticker
	samples []int
	extra   chan int
	read    func() int
	quit    chan struct{}
}

func (s *Sampler) Start(interval time.Duration) {
	s.ticker = time.NewTicker(interval)
	s.quit = make(chan struct{})
	go func() {
		for {
			select {
			case <-s.ticker.C:
				s.samples = append(s.samples, s.read())
			case v := <-s.extra:
				s.samples = append(s.samples, v)
			case <-s.quit:
				return
			}
		}
	}()
}

func (s *Sampler) Stop() []int {
	s.ticker.Stop()
	close(s.quit)
	return s.samples
}
