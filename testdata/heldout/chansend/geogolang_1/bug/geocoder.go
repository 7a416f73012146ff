// Package bug is a held-out kernel (issue 14): a geocoding request runs in
// a goroutine that reports on an unbuffered channel nobody reads once the
// caller has timed out.
//
// Upstream: codingsince1985/geo-golang#1 ("Prevent sending goroutine to block after timeout")
// Round: 14
//
// Bug: HTTPGeocoder's Geocode and ReverseGeocode start a goroutine that
// queries the provider's endpoint, parses the response and sends the
// result on ch, then select between ch and time.After(timeout). ch was
// unbuffered: when the provider answered after the timeout, the caller had
// already returned ErrTimeout and the goroutine blocked on its send for
// ever (the PR: "the channel send statement ... would block forever as
// there is no receiver anymore"). The HTTP round trip is reduced to a
// Fetcher interface; the EndpointBuilder/ResponseParser split follows the
// library.
//
// Fix: ch is made with a buffer of one, so the late send completes and the
// goroutine exits.
package bug

import (
	"errors"
	"time"
)

// ErrTimeout occurs when no response returned within the timeout.
var ErrTimeout = errors.New("TIMEOUT")

var timeout = 8 * time.Second

// Location is a latitude and longitude.
type Location struct{ Lat, Lng float64 }

// EndpointBuilder builds the provider's URLs.
type EndpointBuilder interface {
	GeocodeURL(address string) string
	ReverseGeocodeURL(l Location) string
}

// ResponseParser reads one provider response.
type ResponseParser interface {
	Location() Location
	Address() string
}

// ResponseParserFactory makes a parser per request.
type ResponseParserFactory func() ResponseParser

// Fetcher performs the HTTP request and decodes its body into the parser.
type Fetcher interface {
	Fetch(url string, into ResponseParser) error
}

// HTTPGeocoder has EndpointBuilder and ResponseParser.
type HTTPGeocoder struct {
	EndpointBuilder
	ResponseParserFactory
	Fetcher
}

type geoResp struct {
	l Location
	e error
}

// Geocode returns the location of address.
func (g HTTPGeocoder) Geocode(address string) (Location, error) {
	ch := make(chan geoResp)
	go func() {
		parser := g.ResponseParserFactory()
		err := g.Fetch(g.GeocodeURL(address), parser)
		ch <- geoResp{l: parser.Location(), e: err} // heldout:site
	}()

	select {
	case res := <-ch:
		return res.l, res.e
	case <-time.After(timeout):
		return Location{}, ErrTimeout // heldout:site
	}
}

type revResp struct {
	a string
	e error
}

// ReverseGeocode returns the address of a location.
func (g HTTPGeocoder) ReverseGeocode(lat, lng float64) (string, error) {
	ch := make(chan revResp)
	go func() {
		parser := g.ResponseParserFactory()
		err := g.Fetch(g.ReverseGeocodeURL(Location{lat, lng}), parser)
		ch <- revResp{a: parser.Address(), e: err} // heldout:site
	}()

	select {
	case res := <-ch:
		return res.a, res.e
	case <-time.After(timeout):
		return "", ErrTimeout // heldout:site
	}
}
