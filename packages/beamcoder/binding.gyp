{
  "targets": [{
    "target_name": "beamcoder",
    "sources": [ "src/beamcoder.cc", "src/beamcoder_util.cc",
                 "src/governor.cc", "src/demux.cc",
                 "src/decode.cc", "src/filter.cc",
                 "src/encode.cc", "src/mux.cc",
                 "src/packet.cc", "src/frame.cc",
                 "src/codec_par.cc", "src/format.cc",
                 "src/codec.cc", "src/hwcontext.cc" ],
    "defines": [
      "__STDC_CONSTANT_MACROS",
      "BEAMFLOW_VERSION=\"<!(node -p \"require('./package.json').version\")\"",
      "BEAMFLOW_SOURCE_HASH=\"<!(node -p \"require('./lib/source-hash.cjs').sourceHash('.')\")\""
    ],
    "cflags_cc!": [ "-fno-rtti", "-fno-exceptions" ],
    "cflags_cc": [ "-std=c++11", "-fexceptions", "-Wno-deprecated-declarations", "<!@(pkg-config --cflags-only-I libavcodec libavdevice libavfilter libavformat libavutil libpostproc libswresample libswscale)" ],
    "xcode_settings": { "GCC_ENABLE_CPP_EXCEPTIONS": "YES", "GCC_ENABLE_CPP_RTTI": "YES" },
    "link_settings": {
      "libraries": [ "<!@(pkg-config --libs libavcodec libavfilter libavformat libavutil libpostproc libswresample libswscale)" ]
    }
  }]
}
