cmd_Release/obj.target/wichain_sm2/src/fixed_base_comb.o := g++ -o Release/obj.target/wichain_sm2/src/fixed_base_comb.o ../src/fixed_base_comb.cc '-DNODE_GYP_MODULE_NAME=wichain_sm2' '-DUSING_UV_SHARED=1' '-DUSING_V8_SHARED=1' '-DV8_DEPRECATION_WARNINGS=1' '-D_GLIBCXX_USE_CXX11_ABI=1' '-D_FILE_OFFSET_BITS=64' '-D_LARGEFILE_SOURCE' '-D__STDC_FORMAT_MACROS' '-DOPENSSL_NO_PINSHARED' '-DOPENSSL_THREADS' '-DNAPI_VERSION=8' '-DBUILDING_NODE_EXTENSION' -I/usr/include/node -I/usr/src -I/usr/deps/openssl/config -I/usr/deps/openssl/openssl/include -I/usr/deps/uv/include -I/usr/deps/zlib -I/usr/deps/v8/include  -fPIC -pthread -Wall -Wextra -Wno-unused-parameter -m64 -O3 -fno-omit-frame-pointer -fno-rtti -fno-exceptions -O2 -std=c++17 -Wall -Wextra -Wno-deprecated-declarations -MMD -MF ./Release/.deps/Release/obj.target/wichain_sm2/src/fixed_base_comb.o.d.raw   -c
Release/obj.target/wichain_sm2/src/fixed_base_comb.o: \
 ../src/fixed_base_comb.cc ../src/fixed_base_comb.h ../src/openssl_ptr.h \
 /usr/include/node/openssl/bn.h /usr/include/node/openssl/macros.h \
 /usr/include/node/openssl/opensslconf.h \
 /usr/include/node/openssl/configuration.h \
 /usr/include/node/openssl/./configuration_asm.h \
 /usr/include/node/openssl/././archs/linux-x86_64/asm/include/openssl/configuration.h \
 /usr/include/node/openssl/opensslv.h \
 /usr/include/node/openssl/./opensslv_asm.h \
 /usr/include/node/openssl/././archs/linux-x86_64/asm/include/openssl/opensslv.h \
 /usr/include/node/openssl/e_os2.h /usr/include/node/openssl/types.h \
 /usr/include/node/openssl/safestack.h \
 /usr/include/node/openssl/./safestack_asm.h \
 /usr/include/node/openssl/././archs/linux-x86_64/asm/include/openssl/safestack.h \
 /usr/include/node/openssl/stack.h /usr/include/node/openssl/crypto.h \
 /usr/include/node/openssl/./crypto_asm.h \
 /usr/include/node/openssl/././archs/linux-x86_64/asm/include/openssl/crypto.h \
 /usr/include/node/openssl/cryptoerr.h \
 /usr/include/node/openssl/symhacks.h \
 /usr/include/node/openssl/cryptoerr_legacy.h \
 /usr/include/node/openssl/core.h /usr/include/node/openssl/bnerr.h \
 /usr/include/node/openssl/ec.h /usr/include/node/openssl/asn1.h \
 /usr/include/node/openssl/./asn1_asm.h \
 /usr/include/node/openssl/././archs/linux-x86_64/asm/include/openssl/asn1.h \
 /usr/include/node/openssl/bio.h /usr/include/node/openssl/./bio_asm.h \
 /usr/include/node/openssl/././archs/linux-x86_64/asm/include/openssl/bio.h \
 /usr/include/node/openssl/bioerr.h /usr/include/node/openssl/asn1err.h \
 /usr/include/node/openssl/ecerr.h /usr/include/node/openssl/params.h \
 /usr/include/node/openssl/evp.h \
 /usr/include/node/openssl/core_dispatch.h \
 /usr/include/node/openssl/evperr.h /usr/include/node/openssl/objects.h \
 /usr/include/node/openssl/obj_mac.h \
 /usr/include/node/openssl/objectserr.h
../src/fixed_base_comb.cc:
../src/fixed_base_comb.h:
../src/openssl_ptr.h:
/usr/include/node/openssl/bn.h:
/usr/include/node/openssl/macros.h:
/usr/include/node/openssl/opensslconf.h:
/usr/include/node/openssl/configuration.h:
/usr/include/node/openssl/./configuration_asm.h:
/usr/include/node/openssl/././archs/linux-x86_64/asm/include/openssl/configuration.h:
/usr/include/node/openssl/opensslv.h:
/usr/include/node/openssl/./opensslv_asm.h:
/usr/include/node/openssl/././archs/linux-x86_64/asm/include/openssl/opensslv.h:
/usr/include/node/openssl/e_os2.h:
/usr/include/node/openssl/types.h:
/usr/include/node/openssl/safestack.h:
/usr/include/node/openssl/./safestack_asm.h:
/usr/include/node/openssl/././archs/linux-x86_64/asm/include/openssl/safestack.h:
/usr/include/node/openssl/stack.h:
/usr/include/node/openssl/crypto.h:
/usr/include/node/openssl/./crypto_asm.h:
/usr/include/node/openssl/././archs/linux-x86_64/asm/include/openssl/crypto.h:
/usr/include/node/openssl/cryptoerr.h:
/usr/include/node/openssl/symhacks.h:
/usr/include/node/openssl/cryptoerr_legacy.h:
/usr/include/node/openssl/core.h:
/usr/include/node/openssl/bnerr.h:
/usr/include/node/openssl/ec.h:
/usr/include/node/openssl/asn1.h:
/usr/include/node/openssl/./asn1_asm.h:
/usr/include/node/openssl/././archs/linux-x86_64/asm/include/openssl/asn1.h:
/usr/include/node/openssl/bio.h:
/usr/include/node/openssl/./bio_asm.h:
/usr/include/node/openssl/././archs/linux-x86_64/asm/include/openssl/bio.h:
/usr/include/node/openssl/bioerr.h:
/usr/include/node/openssl/asn1err.h:
/usr/include/node/openssl/ecerr.h:
/usr/include/node/openssl/params.h:
/usr/include/node/openssl/evp.h:
/usr/include/node/openssl/core_dispatch.h:
/usr/include/node/openssl/evperr.h:
/usr/include/node/openssl/objects.h:
/usr/include/node/openssl/obj_mac.h:
/usr/include/node/openssl/objectserr.h:
