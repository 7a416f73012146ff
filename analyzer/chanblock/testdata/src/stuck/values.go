package stuck

// msg is a message of a stream; kind "end" closes it.
type msg struct {
	kind string
	body string
}

// coalesce reads until in closes or an "end" message comes: which it is
// depends on what the senders send.
func coalesce(in <-chan *msg) []string {
	var out []string
	for {
		m, ok := <-in
		if !ok || m.kind == "end" {
			return out
		}
		out = append(out, m.body)
	}
}

// feedNoEnd never sends "end": coalesce reads all four and the close
// (x/tools playground's TestBuffer); silent.
func feedNoEnd() []string {
	ch := make(chan *msg)
	go func() {
		ch <- &msg{kind: "err", body: "a"}
		ch <- &msg{kind: "out", body: "b"}
		close(ch)
	}()
	return coalesce(ch)
}

// firstFailure returns on the first error received: an error is any
// sender's to send, so the other senders' sends are left blocked.
func firstFailure(jobs []func() error) error {
	errs := make(chan error)
	for _, j := range jobs {
		go func() {
			errs <- j() // want `this send can block forever`
		}()
	}
	for range jobs {
		if err := <-errs; err != nil {
			return err
		}
	}
	return nil
}
