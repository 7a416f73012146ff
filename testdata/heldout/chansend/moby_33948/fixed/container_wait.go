// Package fixed is the fixed version of chansend/moby_33948: errC holds
// one error, so ContainerWait can report a failed request before
// returning and the caller receives it afterwards.
package fixed

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
)

// ContainerWaitOKBody is the exit status of a container.
type ContainerWaitOKBody struct {
	StatusCode int64
}

// WaitCondition is the state to wait for.
type WaitCondition string

type serverResponse struct {
	body io.ReadCloser
}

func ensureReaderClosed(resp serverResponse) {
	if resp.body != nil {
		resp.body.Close()
	}
}

// poster sends an API request.
type poster interface {
	post(ctx context.Context, path string, query map[string]string) (serverResponse, error)
}

// Client is the Docker API client.
type Client struct {
	transport poster
	version   string
}

// ContainerWait waits until the container reaches condition. With API
// 1.30 it blocks until the server has acknowledged the request, then
// returns the channels on which the exit status or an error arrive.
func (cli *Client) ContainerWait(ctx context.Context, containerID string, condition WaitCondition) (<-chan ContainerWaitOKBody, <-chan error) {
	if cli.version < "1.30" {
		return cli.legacyContainerWait(ctx, containerID)
	}

	resultC := make(chan ContainerWaitOKBody)
	errC := make(chan error, 1)

	query := map[string]string{"condition": string(condition)}

	resp, err := cli.transport.post(ctx, "/containers/"+containerID+"/wait", query)
	if err != nil {
		defer ensureReaderClosed(resp)
		errC <- err
		return resultC, errC
	}

	go func() {
		defer ensureReaderClosed(resp)
		var res ContainerWaitOKBody
		if err := json.NewDecoder(resp.body).Decode(&res); err != nil {
			errC <- err
			return
		}

		resultC <- res
	}()

	return resultC, errC
}

// legacyContainerWait returns immediately and waits in a goroutine.
func (cli *Client) legacyContainerWait(ctx context.Context, containerID string) (<-chan ContainerWaitOKBody, <-chan error) {
	resultC := make(chan ContainerWaitOKBody)
	errC := make(chan error)

	go func() {
		resp, err := cli.transport.post(ctx, "/containers/"+containerID+"/wait", nil)
		if err != nil {
			errC <- err
			return
		}
		defer ensureReaderClosed(resp)

		var res ContainerWaitOKBody
		if err := json.NewDecoder(resp.body).Decode(&res); err != nil {
			errC <- err
			return
		}

		resultC <- res
	}()

	return resultC, errC
}

// runWait is `docker wait`: it prints each container's exit code.
func runWait(ctx context.Context, cli *Client, out io.Writer, containers []string) error {
	var errs []string
	for _, container := range containers {
		resultC, errC := cli.ContainerWait(ctx, container, "")
		select {
		case result := <-resultC:
			fmt.Fprintf(out, "%d\n", result.StatusCode)
		case err := <-errC:
			errs = append(errs, err.Error())
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%v", errs)
	}
	return nil
}
