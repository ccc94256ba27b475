# Optional native SM2 verification for wichain (see native/README.md). Built by
# `npm run build:native`; the package works without it (pure-JS fallback).
# No libraries are linked: the OpenSSL 3 symbols resolve against the running node binary,
# which exports its bundled OpenSSL; the headers come with node's (include/node/openssl).
{
  "targets": [
    {
      "target_name": "wichain_sm2",
      "sources": [
        "src/addon.cc",
        "src/fixed_base_comb.cc",
        "src/sm2_curve.cc",
        "src/sm2_verifier.cc",
      ],
      "cflags_cc": ["-O2", "-std=c++17", "-Wall", "-Wextra", "-Wno-deprecated-declarations"],
      "cflags_cc!": ["-std=gnu++14", "-std=gnu++17"],
      "defines": ["NAPI_VERSION=8"],
      # Bind every OpenSSL symbol at load: if a future node lacks one, loading fails (and
      # wichain falls back to pure JS) instead of the process dying at the first call.
      "ldflags": ["-Wl,-z,now"],
      "xcode_settings": {
        "OTHER_CPLUSPLUSFLAGS": ["-std=c++17", "-Wno-deprecated-declarations"],
        "OTHER_LDFLAGS": ["-undefined", "dynamic_lookup"],
      },
    }
  ]
}
