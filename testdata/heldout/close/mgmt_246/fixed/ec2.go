// Package fixed is the fixed version of close/mgmt_246: Watch defers the
// close of closeChan after deferring the WaitGroup wait, so the helper
// goroutine cancels the poll and returns on every exit from Watch.
package fixed

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
	defer obj.wg.Wait()
	defer close(obj.closeChan)
	ctx, cancel := context.WithCancel(context.TODO())
	obj.wg.Add(1)
	go func() {
		defer obj.wg.Done()
		select {
		case <-obj.closeChan:
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
				return *exit
			}
		case msg := <-obj.awsChan:
			if err := msg.err; err != nil {
				return err
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
