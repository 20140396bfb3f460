package detect_test

import (
	"testing"

	"github.com/buildpacks/libcnb/v2"
	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/detect"
)

func testCertificates(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	caBinding := libcnb.NewBinding("corporate", "/platform/bindings/corporate",
		map[string]string{"type": "ca-certificates", "ca.pem": "-----BEGIN CERTIFICATE-----"})
	otherBinding := libcnb.NewBinding("pip", "/platform/bindings/pip", map[string]string{"type": "pip", "pip.conf": ""})

	plan := []libcnb.BuildPlan{{
		Provides: []libcnb.BuildPlanProvide{{Name: "ca-certificates"}},
		Requires: []libcnb.BuildPlanRequire{{Name: "ca-certificates"}},
	}}

	it("passes with a binding of type ca-certificates, whatever its name", func() {
		result := detect.CertificatesPlan(libcnb.Bindings{otherBinding, caBinding}, "")
		Expect(result).To(Equal(libcnb.DetectResult{Pass: true, Plans: plan}))
	})

	it("matches the binding type without regard to case, as libpak does", func() {
		upper := libcnb.NewBinding("corp", "/platform/bindings/corp", map[string]string{"type": "CA-Certificates", "ca.pem": ""})
		Expect(detect.CertificatesPlan(libcnb.Bindings{upper}, "").Pass).To(BeTrue())
	})

	it("fails quietly without such a binding, so the optional buildpack stays out", func() {
		Expect(detect.CertificatesPlan(nil, "").Pass).To(BeFalse())
		Expect(detect.CertificatesPlan(libcnb.Bindings{otherBinding}, "").Pass).To(BeFalse())
		Expect(detect.CertificatesPlan(libcnb.Bindings{otherBinding}, "false").Pass).To(BeFalse())
		Expect(detect.CertificatesPlan(nil, " 0 ").Pass).To(BeFalse())
	})

	it("passes with BP_EMBED_CERTS set, so the build can say the binding is missing", func() {
		Expect(detect.CertificatesPlan(nil, "true")).To(Equal(libcnb.DetectResult{Pass: true, Plans: plan}))
	})

	it("passes with an unreadable BP_EMBED_CERTS, so the build can reject it", func() {
		Expect(detect.CertificatesPlan(nil, "yes").Pass).To(BeTrue())
	})
}
