package chatimport_test

import (
	"os"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatimport/chatimport"
)

// releaseHeading is a Keep a Changelog release heading: "## [1.2.3] - 2006-01-02".
var releaseHeading = regexp.MustCompile(`(?m)^## \[(\d+)\.(\d+)\.(\d+)\] - (\d{4}-\d{2}-\d{2})$`)

// The Version sent in the User-Agent is the newest release CHANGELOG.md
// records, and the releases there run newest first with real dates, so a
// user can tell from either which one they have.
func TestVersionIsTheNewestRelease(t *testing.T) {
	log, err := os.ReadFile("CHANGELOG.md")
	require.NoError(t, err)
	releases := releaseHeading.FindAllStringSubmatch(string(log), -1)
	require.NotEmpty(t, releases, "CHANGELOG.md has no release heading of the form ## [x.y.z] - yyyy-mm-dd")
	assert.Equal(t, releases[0][1]+"."+releases[0][2]+"."+releases[0][3], chatimport.Version)

	for i, r := range releases {
		_, err := time.Parse(time.DateOnly, r[4])
		assert.NoError(t, err, "release %s: date %q", r[0], r[4])
		if i > 0 {
			assert.Positive(t, compareVersions(releases[i-1][1:4], r[1:4]), "%q is listed above %q", releases[i-1][0], r[0])
			assert.GreaterOrEqual(t, releases[i-1][4], r[4], "%q is dated before %q", releases[i-1][0], r[0])
		}
	}
}

// compareVersions compares major, minor, patch numerically.
func compareVersions(a, b []string) int {
	for i := range 3 {
		x, _ := strconv.Atoi(a[i])
		y, _ := strconv.Atoi(b[i])
		if x != y {
			return x - y
		}
	}
	return 0
}
