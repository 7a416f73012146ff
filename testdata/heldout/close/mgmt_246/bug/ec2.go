// Package bug is a held-out kernel (issue 14): mgmt's aws:ec2 resource
// watches an instance with a long-poll goroutine and a helper goroutine
// that cancels the poll's context once closeChan is closed; Watch closes
// closeChan on its exit path only, so when it returns on a poll error it
// waits in a deferred WaitGroup.Wait for a helper that waits for a close
// nobody will do.
//
// Upstream: purpleidea/mgmt#246 ("resources: aws: ec2: Fix deadlock on rare error scenarios")
// Round: 17
// Seen: 2026-11-29, development set (written in session 24 by helper selclose to tune the analyzers; not a blind measure)
//
// Bug: AwsEc2Res.Init makes awsChan, closeChan and a WaitGroup. Watch
// marks the resource running, defers wg.Wait(), derives a cancellable
// context and starts two goroutines under the WaitGroup: a helper that
// selects on closeChan and then cancels the context, and a poller that
// describes the instance, blocks in WaitUntilInstanceStoppedWithContext
// and reports state changes or errors on awsChan (each send also gives
// up when closeChan is closed). Watch's loop reads engine events and
// awsChan. The PR: "If we get an error in the Watch loop, it will send
// this on awsChan, which will cause Watch to loop. However, in this
// scenario it will never cause closeChan to close, and we will deadlock
// because we have a waitGroup in a helper goroutine which is waiting on
// this channel to close the context." The AWS SDK is reduced to an
// EC2API interface and the engine's resource base to BaseRes; that the
// exit path is where closeChan was closed is our reading of the thread.
//
// Fix: Watch defers close(obj.closeChan) right after deferring
// obj.wg.Wait(), so every return closes it before the wait.
package bug

import (
	"context"
	"errors"
	"fmt"
	"log"
	"sync"
)

// Instance is what DescribeInstances reports about one instance.
type Instance struct {
	ID    string
	State string
}

// DescribeInstancesInput filters instances by name tag and state.
type DescribeInstancesInput struct {
	Name   string
	IDs    []string
	States []string
}

// EC2API is the part of the EC2 client the resource uses.
type EC2API interface {
	DescribeInstances(in *DescribeInstancesInput) ([]Instance, error)
	WaitUntilInstanceStoppedWithContext(ctx context.Context, in *DescribeInstancesInput) error
	WaitUntilInstanceRunningWithContext(ctx context.Context, in *DescribeInstancesInput) error
}

// Event is a message from the engine to a resource's Watch.
type Event struct {
	Kind string
}

// BaseRes is the engine side every resource embeds.
type BaseRes struct {
	Name   string
	events chan *Event
	state  bool
	poke   func()
}

// Events returns the channel the engine sends control events on.
func (obj *BaseRes) Events() chan *Event { return obj.events }

// ReadEvent handles an engine event: an exit request returns a non-nil
// error pointer.
func (obj *BaseRes) ReadEvent(ev *Event) (exit *error, send bool) {
	switch ev.Kind {
	case "exit":
		var err error
		return &err, false
	case "poke":
		return nil, true
	}
	return nil, false
}

// Running tells the engine the watch has started.
func (obj *BaseRes) Running() error { return nil }

// StateOK records whether the resource is converged.
func (obj *BaseRes) StateOK(b bool) { obj.state = b }

// Event asks the engine to run CheckApply.
func (obj *BaseRes) Event() {
	if obj.poke != nil {
		obj.poke()
	}
}

type awsEc2Event int

const (
	awsEc2EventNone awsEc2Event = iota
	awsEc2EventInstanceStopped
	awsEc2EventInstanceRunning
)

type chanStruct struct {
	event awsEc2Event
	err   error
}

// AwsEc2Res keeps an EC2 instance in the wanted state.
type AwsEc2Res struct {
	BaseRes
	State  string
	client EC2API

	awsChan   chan *chanStruct
	closeChan chan struct{}
	wg        *sync.WaitGroup
}

// Init makes the channels Watch uses.
func (obj *AwsEc2Res) Init(client EC2API) error {
	if client == nil {
		return errors.New("no ec2 client")
	}
	obj.client = client
	obj.events = make(chan *Event)
	obj.awsChan = make(chan *chanStruct)
	obj.closeChan = make(chan struct{})
	obj.wg = &sync.WaitGroup{}
	return nil
}

// Watch reports changes of the instance's state to the engine.
func (obj *AwsEc2Res) Watch() error {
	send := false
	var exit *error
	if err := obj.Running(); err != nil {
		return err
	}
	defer obj.wg.Wait() // heldout:site
	ctx, cancel := context.WithCancel(context.TODO())
	obj.wg.Add(1)
	go func() {
		defer obj.wg.Done()
		select {
		case <-obj.closeChan: // heldout:site
			cancel()
		}
	}()
	obj.wg.Add(1)
	go func() {
		defer obj.wg.Done()
		for {
			in := &DescribeInstancesInput{Name: obj.Name, States: []string{"pending", "running", "stopping", "stopped"}}
			out, err := obj.client.DescribeInstances(in)
			if err != nil {
				select {
				case obj.awsChan <- &chanStruct{err: fmt.Errorf("error describing instances: %w", err)}:
				case <-obj.closeChan:
				}
				return
			}
			if len(out) != 1 {
				select {
				case <-obj.closeChan:
					return
				default:
				}
				continue
			}
			wait := &DescribeInstancesInput{IDs: []string{out[0].ID}}
			var event awsEc2Event
			if obj.State == "running" {
				err = obj.client.WaitUntilInstanceStoppedWithContext(ctx, wait)
				event = awsEc2EventInstanceStopped
			} else {
				err = obj.client.WaitUntilInstanceRunningWithContext(ctx, wait)
				event = awsEc2EventInstanceRunning
			}
			if err != nil {
				select {
				case obj.awsChan <- &chanStruct{err: fmt.Errorf("unknown error waiting for instance: %w", err)}:
				case <-obj.closeChan:
				}
				return
			}
			select {
			case obj.awsChan <- &chanStruct{event: event}:
			case <-obj.closeChan:
				return
			}
		}
	}()
	for {
		select {
		case event := <-obj.Events():
			if exit, send = obj.ReadEvent(event); exit != nil {
				close(obj.closeChan)
				return *exit
			}
		case msg := <-obj.awsChan:
			if err := msg.err; err != nil {
				return err // heldout:site
			}
			log.Printf("%s: State: %v", obj.Name, msg.event)
			obj.StateOK(false)
			send = true
		}
		if send {
			send = false
			obj.Event()
		}
	}
}
