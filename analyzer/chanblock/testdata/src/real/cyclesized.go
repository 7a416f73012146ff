package real

// Session 25 (bufvar): the worker-pool cycle with a buffer sized by the
// pool's parameter (make(chan T, workers)) rather than a constant: it
// bounds the results in flight as a constant does. resizeAll sends every
// image on the unbuffered in before it reads any result; once `workers`
// results are queued every worker blocks on its result send and nobody
// takes the next image, so the send blocks forever (nix-community/
// vgo2nix#16 with the pool's size as the buffer). Fix: feed the images
// from a goroutine.
type cyImage struct {
	name string
	data []byte
}

func cyResizeWorker(in <-chan cyImage, out chan<- cyImage, resize func([]byte) []byte) {
	for img := range in {
		out <- cyImage{img.name, resize(img.data)}
	}
}

func cyResizeAll(imgs []cyImage, workers int, resize func([]byte) []byte) []cyImage {
	in := make(chan cyImage)
	out := make(chan cyImage, workers)
	for i := 0; i < workers; i++ {
		go cyResizeWorker(in, out, resize)
	}
	for _, img := range imgs {
		in <- img // want `this loop sends jobs \(buffer of 0\) to the workers started at line \d+, which send each result \(line \d+\) on a channel with a buffer of workers`
	}
	close(in)
	res := make([]cyImage, 0, len(imgs))
	for range imgs {
		res = append(res, <-out)
	}
	return res
}

// The fix: a goroutine feeds the images while resizeAll takes the results.
func cyResizeAllFixed(imgs []cyImage, workers int, resize func([]byte) []byte) []cyImage {
	in := make(chan cyImage)
	out := make(chan cyImage, workers)
	for i := 0; i < workers; i++ {
		go cyResizeWorker(in, out, resize)
	}
	go func() {
		for _, img := range imgs {
			in <- img
		}
		close(in)
	}()
	res := make([]cyImage, 0, len(imgs))
	for range imgs {
		res = append(res, <-out)
	}
	return res
}

// Look-alike: the send loop sends n jobs and the results buffer holds n:
// every result finds room; silent.
func cySquares(n int, square func(int) int) []int {
	in := make(chan int)
	out := make(chan int, n)
	for i := 0; i < 4; i++ {
		go func() {
			for x := range in {
				out <- square(x)
			}
		}()
	}
	for i := 0; i < n; i++ {
		in <- i
	}
	close(in)
	res := make([]int, 0, n)
	for i := 0; i < n; i++ {
		res = append(res, <-out)
	}
	return res
}

// Look-alike: the results buffer is sized by the images themselves;
// silent.
func cyResizeAllRoomy(imgs []cyImage, workers int, resize func([]byte) []byte) []cyImage {
	in := make(chan cyImage, workers)
	out := make(chan cyImage, len(imgs))
	for i := 0; i < workers; i++ {
		go cyResizeWorker(in, out, resize)
	}
	for _, img := range imgs {
		in <- img
	}
	close(in)
	res := make([]cyImage, 0, len(imgs))
	for range imgs {
		res = append(res, <-out)
	}
	return res
}
