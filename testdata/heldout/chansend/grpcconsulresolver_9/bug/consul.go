// Package bug is a held-out kernel (issue 14): a gRPC resolver whose
// service watcher runs its blocking Consul queries in a goroutine that
// hands each result over an unbuffered channel; when the resolver's
// context ends the forwarding loop returns, and the query goroutine blocks
// forever on its next send.
//
// Upstream: mbobakov/grpc-consul-resolver#9 ("Goroutine leaking")
// Round: 5
//
// Bug: watchConsulService starts a goroutine that loops on the Consul
// health query and sends each address list on res. The outer loop selects
// on res and ctx.Done and returns when the context is cancelled; nothing
// stops the query goroutine, which completes its next query and blocks
// sending on res with nobody receiving. The issue shows both loops and
// the fix; the Consul client interface is our reduction.
//
// Fix: a quit channel, closed when the context ends, and the query
// goroutine selects between sending on res and quit.
package bug

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
	go func() {
		var lastIndex uint64
		for {
			ee, meta, err := s.Service(context.Background(), tgt.Service, tgt.Tag, lastIndex)
			if err != nil {
				time.Sleep(time.Second)
				continue
			}
			lastIndex = meta
			res <- ee // heldout:site
		}
	}()

	for {
		select {
		case ee := <-res:
			out <- ee
		case <-ctx.Done():
			return // heldout:site
		}
	}
}
