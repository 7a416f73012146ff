// Package bug is a held-out kernel (issue 14): pitaya's etcd service
// discovery renews a lost lease in a goroutine that reports the outcome
// on an unbuffered channel, while renewLease waits for it with a timeout;
// when the grant takes longer than grantLeaseTimeout, renewLease returns
// ErrEtcdGrantLeaseTimeout and the goroutine blocks for ever on its send.
//
// Upstream: topfreegames/pitaya#315 ("There may be a goroutine Leak here")
// Round: 13
//
// Bug: watchLease notices a failed keep-alive and calls renewLease in a
// retry loop. renewLease makes c without a buffer and starts a goroutine
// that grants a new lease and bootstraps the server again, sending the
// error of either step on c (and closing c on the way out); renewLease
// selects on c and on time.After(grantLeaseTimeout). When the timer wins,
// renewLease returns, watchLeaseChan tells the app to die, and the
// goroutine's send has no receiver. The etcd client is reduced to a
// Lease interface; watchLeaseChan's receive from etcd's keep-alive
// channel is our reduction to a periodic KeepAliveOnce call; the app
// that receives on appDieChan is reduced to its select, and the send on
// appDieChan also gives up when the discovery is shut down (upstream's
// plain send there would block once the app has stopped on a signal;
// that is left out of both versions).
//
// Fix (topfreegames/pitaya#316, "ensure that the channel is of
// sufficient size"): c is buffered (to one here, enough for the single
// result), so the goroutine can deliver its result and exit after
// renewLease has given up.
package bug

import (
	"errors"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// ErrEtcdGrantLeaseTimeout is returned when a lease is not granted in time.
var ErrEtcdGrantLeaseTimeout = errors.New("timed out waiting for etcd lease grant")

// Lease is the part of the etcd client the discovery uses.
type Lease interface {
	Grant(ttl time.Duration) (int64, error)
	KeepAliveOnce(id int64) error
	Put(key, value string, lease int64) error
}

// Server is this pitaya server.
type Server struct {
	ID   string
	Type string
}

type etcdServiceDiscovery struct {
	cli                  Lease
	server               *Server
	leaseID              int64
	heartbeatTTL         time.Duration
	grantLeaseTimeout    time.Duration
	grantLeaseMaxRetries int
	grantLeaseInterval   time.Duration
	stopChan             chan bool
	stopLeaseChan        chan bool
	appDieChan           chan bool
}

func newEtcdServiceDiscovery(cli Lease, server *Server, appDieChan chan bool) *etcdServiceDiscovery {
	return &etcdServiceDiscovery{
		cli:                  cli,
		server:               server,
		heartbeatTTL:         5 * time.Second,
		grantLeaseTimeout:    60 * time.Second,
		grantLeaseMaxRetries: 15,
		grantLeaseInterval:   5 * time.Second,
		stopChan:             make(chan bool),
		stopLeaseChan:        make(chan bool),
		appDieChan:           appDieChan,
	}
}

// watchLease keeps the lease alive and renews it when that fails.
func (sd *etcdServiceDiscovery) watchLease() {
	failedGrantLeaseAttempts := 0
	ticker := time.NewTicker(sd.heartbeatTTL / 2)
	defer ticker.Stop()
	for {
		select {
		case <-sd.stopChan:
			return
		case <-sd.stopLeaseChan:
			return
		case <-ticker.C:
			if err := sd.cli.KeepAliveOnce(sd.leaseID); err == nil {
				failedGrantLeaseAttempts = 0
				continue
			}
			log.Print("sd: error renewing etcd lease, reconfiguring")
			for {
				err := sd.renewLease()
				if err != nil {
					failedGrantLeaseAttempts++
					if err == ErrEtcdGrantLeaseTimeout {
						log.Print("sd: timed out trying to grant etcd lease")
						sd.die()
						return
					}
					if failedGrantLeaseAttempts >= sd.grantLeaseMaxRetries {
						log.Print("sd: exceeded max attempts to renew etcd lease")
						sd.die()
						return
					}
					time.Sleep(sd.grantLeaseInterval)
					continue
				}
				break
			}
		}
	}
}

// die tells the app to shut down, unless it is already stopping.
func (sd *etcdServiceDiscovery) die() {
	if sd.appDieChan == nil {
		return
	}
	select {
	case sd.appDieChan <- true:
	case <-sd.stopChan:
	}
}

// renewLease reestablishes the connection with etcd.
func (sd *etcdServiceDiscovery) renewLease() error {
	c := make(chan error)
	go func() {
		defer close(c)
		log.Print("waiting for etcd lease")
		err := sd.grantLease()
		if err != nil {
			c <- err // heldout:site
			return
		}
		err = sd.bootstrapServer(sd.server)
		c <- err // heldout:site
	}()
	select {
	case err := <-c:
		return err
	case <-time.After(sd.grantLeaseTimeout):
		return ErrEtcdGrantLeaseTimeout // heldout:site
	}
}

func (sd *etcdServiceDiscovery) grantLease() error {
	id, err := sd.cli.Grant(sd.heartbeatTTL)
	if err != nil {
		return err
	}
	sd.leaseID = id
	return nil
}

func (sd *etcdServiceDiscovery) bootstrapServer(server *Server) error {
	return sd.cli.Put("servers/"+server.Type+"/"+server.ID, server.ID, sd.leaseID)
}

// Shutdown stops the discovery's goroutines.
func (sd *etcdServiceDiscovery) Shutdown() {
	close(sd.stopLeaseChan)
	close(sd.stopChan)
}

// App is the pitaya application, reduced to its die channel.
type App struct {
	dieChan chan bool
	sd      *etcdServiceDiscovery
}

// NewApp builds an app whose service discovery uses cli.
func NewApp(cli Lease, server *Server) *App {
	a := &App{dieChan: make(chan bool)}
	a.sd = newEtcdServiceDiscovery(cli, server, a.dieChan)
	return a
}

// Start runs the app until it is told to die or gets a signal.
func (a *App) Start() {
	go a.sd.watchLease()
	sg := make(chan os.Signal, 1)
	signal.Notify(sg, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sg)
	select {
	case <-a.dieChan:
		log.Print("the app will shutdown in a few seconds")
	case s := <-sg:
		log.Printf("got signal: %v, shutting down...", s)
	}
	a.sd.Shutdown()
}
