// Variant of chanrecv/speedtestgo_142 (M4: a for-select over the ticker
// with a second case on a channel nothing ever sends on). Blocks: Stop
// stops the ticker; neither case can fire again, the goroutine waits for
// ever.
package tickerselect

import "time"

type Sampler struct {
	ticker  *time.Ticker
	samples []int
	extra   chan int
	read    func() int
}

func (s *Sampler) Start(interval time.Duration) {
	s.ticker = time.NewTicker(interval)
	go func() {
		for {
			select { // want `this goroutine waits on the ticker's channel in a loop it never leaves`
			case <-s.ticker.C:
				s.samples = append(s.samples, s.read())
			case v := <-s.extra:
				s.samples = append(s.samples, v)
			}
		}
	}()
}

func (s *Sampler) Stop() []int {
	s.ticker.Stop()
	return s.samples
}
