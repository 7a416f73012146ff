// Package fixed is the fixed version of waitgroup/tpiterative_405: the
// WaitGroup is set to the number of regions up front and every clone
// goroutine defers its Done.
package fixed

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
	wg.Add(len(regions))
	for _, destination := range regions {
		go func(destinationRegion string) {
			defer wg.Done()
			fmt.Printf("Cloning image to region %s...\n", destinationRegion)
			if err := cloneImage(svc, region, destinationRegion, ami); err != nil {
				errs <- fmt.Errorf("cloning image to region %s: %w", destinationRegion, err)
				return
			}
			fmt.Printf("Image successfully cloned to region %s\n", destinationRegion)
		}(destination)
	}
	wg.Wait()
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
