// Package fixed is the fixed version of chansend/grpcconsulresolver_9: the
// query goroutine stops on a quit channel closed when the context ends.
package fixed

import (
	"context"
	"time"
)

// Servicer queries Consul for a service's healthy instances, blocking
// until the index moves past lastIndex.
type Servicer interface {
	Service(ctx context.Context, service, tag string, lastIndex uint64) (addrs []string, index uint64, err error)
}

type target struct {
	Service string
	Tag     string
}

func watchConsulService(ctx context.Context, s Servicer, tgt target, out chan<- []string) {
	res := make(chan []string)
	quit := make(chan struct{})
	go func() {
		var lastIndex uint64
		for {
			ee, meta, err := s.Service(context.Background(), tgt.Service, tgt.Tag, lastIndex)
			if err != nil {
				time.Sleep(time.Second)
				continue
			}
			lastIndex = meta
			select {
			case res <- ee:
			case <-quit:
				return
			}
		}
	}()

	for {
		select {
		case ee := <-res:
			out <- ee
		case <-ctx.Done():
			close(quit)
			return
		}
	}
}
