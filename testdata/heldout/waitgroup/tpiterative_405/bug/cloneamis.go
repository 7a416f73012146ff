// Package bug is a held-out kernel (issue 14): the CML AMI release script
// of terraform-provider-iterative clones the image to every region in a
// goroutine each, adding one to a WaitGroup per region, but no goroutine
// ever calls Done, so after all copies have finished the script waits on
// wg.Wait() for ever.
//
// Upstream: iterative/terraform-provider-iterative#405 ("cml: resolve deadlock when cloning amis (#404)")
// Round: 16
//
// Bug: main describes the source image, then for each destination region
// does `wg.Add(1)` and starts a goroutine that calls cloneImage (CopyImage,
// wait until the copy is available, make it public) and prints the
// outcome; an error exits the process. The goroutine has no `wg.Done()`,
// so the final `wg.Wait()` blocks once every clone has succeeded ("Each
// goroutine must call wg.Done() otherwise wg.Wait() forever"). Our
// reduction: the EC2 client becomes an interface and main a function
// taking it; the goroutine's os.Exit on error becomes a send on a
// buffered error channel that is read after the wait.
//
// Fix: `wg.Add(len(regions))` before the loop and `defer wg.Done()` at
// the top of each goroutine.
package bug

import (
	"errors"
	"fmt"
	"sync"
)

// Image is an AMI.
type Image struct {
	ID          string
	Name        string
	Description string
}

// ec2API is the part of the EC2 client the script uses.
type ec2API interface {
	DescribeImages(region, name, arch string) ([]Image, error)
	CopyImage(region, sourceRegion string, image Image) (string, error)
	WaitUntilImageExists(region, imageID string) error
	MakePublic(region, imageID string) error
}

var regions = []string{
	"us-east-2", "us-east-1", "us-west-2", "ap-south-1", "ap-northeast-1",
	"ca-central-1", "eu-central-1", "eu-west-1", "eu-north-1", "sa-east-1",
}

// cloneAMIs copies the CML image from region to every other region.
func cloneAMIs(svc ec2API, region, amiName string) error {
	images, err := svc.DescribeImages(region, amiName, "x86_64")
	if err != nil {
		return err
	}
	if len(images) == 0 {
		return fmt.Errorf("ami %s not found", amiName)
	}
	ami := images[0]

	errs := make(chan error, len(regions))
	var wg sync.WaitGroup
	for _, destination := range regions {
		wg.Add(1) // heldout:site
		go func(destinationRegion string) {
			fmt.Printf("Cloning image to region %s...\n", destinationRegion)
			if err := cloneImage(svc, region, destinationRegion, ami); err != nil {
				errs <- fmt.Errorf("cloning image to region %s: %w", destinationRegion, err)
				return
			}
			fmt.Printf("Image successfully cloned to region %s\n", destinationRegion)
		}(destination)
	}
	wg.Wait() // heldout:site
	close(errs)

	var all []error
	for err := range errs {
		all = append(all, err)
	}
	return errors.Join(all...)
}

func cloneImage(svc ec2API, sourceRegion, destinationRegion string, image Image) error {
	imageID, err := svc.CopyImage(destinationRegion, sourceRegion, image)
	if err != nil {
		return err
	}
	if err := svc.WaitUntilImageExists(destinationRegion, imageID); err != nil {
		return err
	}
	return svc.MakePublic(destinationRegion, imageID)
}
