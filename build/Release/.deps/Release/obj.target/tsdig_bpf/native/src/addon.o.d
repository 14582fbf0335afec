cmd_Release/obj.target/tsdig_bpf/native/src/addon.o := cc -o Release/obj.target/tsdig_bpf/native/src/addon.o ../native/src/addon.c '-DNODE_GYP_MODULE_NAME=tsdig_bpf' '-DUSING_UV_SHARED=1' '-DUSING_V8_SHARED=1' '-DV8_DEPRECATION_WARNINGS=1' '-D_GLIBCXX_USE_CXX11_ABI=1' '-D_FILE_OFFSET_BITS=64' '-D_LARGEFILE_SOURCE' '-D__STDC_FORMAT_MACROS' '-DOPENSSL_NO_PINSHARED' '-DOPENSSL_THREADS' '-DBUILDING_NODE_EXTENSION' -I/usr/include/node -I/usr/src -I/usr/deps/openssl/config -I/usr/deps/openssl/openssl/include -I/usr/deps/uv/include -I/usr/deps/zlib -I/usr/deps/v8/include -I../native/bpf -I./Release/obj/gen/tsdig  -fPIC -pthread -Wall -Wextra -Wno-unused-parameter -std=gnu11 -O2 -Wall -Wno-unused-parameter -m64 -O3 -fno-omit-frame-pointer  -MMD -MF ./Release/.deps/Release/obj.target/tsdig_bpf/native/src/addon.o.d.raw   -c
Release/obj.target/tsdig_bpf/native/src/addon.o: ../native/src/addon.c \
 /usr/include/node/node_api.h /usr/include/node/js_native_api.h \
 /usr/include/node/js_native_api_types.h \
 /usr/include/node/node_api_types.h ../native/bpf/tsdig_shared.h \
 Release/obj/gen/tsdig/tsdig.skel.h
../native/src/addon.c:
/usr/include/node/node_api.h:
/usr/include/node/js_native_api.h:
/usr/include/node/js_native_api_types.h:
/usr/include/node/node_api_types.h:
../native/bpf/tsdig_shared.h:
Release/obj/gen/tsdig/tsdig.skel.h:
