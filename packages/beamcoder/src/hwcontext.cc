/*
  Aerostat Beam Coder - Node.js native bindings for FFmpeg.
  Copyright (C) 2019  Streampunk Media Ltd.

  This program is free software: you can redistribute it and/or modify
  it under the terms of the GNU General Public License as published by
  the Free Software Foundation, either version 3 of the License, or
  (at your option) any later version.

  This program is distributed in the hope that it will be useful,
  but WITHOUT ANY WARRANTY; without even the implied warranty of
  MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
  GNU General Public License for more details.

  You should have received a copy of the GNU General Public License
  along with this program.  If not, see <https://www.gnu.org/licenses/>.

  https://www.streampunk.media/ mailto:furnace@streampunk.media
  14 Ormiscaig, Aultbea, Achnasheen, IV22 2JJ  U.K.
*/

#include "hwcontext.h"

void hwContextFinalizer(napi_env env, void* data, void* hint) {
  liveAdd(LIVE_HW_CONTEXTS, -1);
  AVBufferRef* ctxRef = (AVBufferRef*) data;
  av_buffer_unref(&ctxRef);
}

napi_value getHWDeviceCtxType(napi_env env, napi_callback_info info) {
  napi_status status;
  napi_value result;
  AVHWDeviceContext* device_context;
  const char* name;

  status = napi_get_cb_info(env, info, 0, nullptr, nullptr, (void**) &device_context);
  CHECK_STATUS;

  switch (device_context->type) {
    case AV_HWDEVICE_TYPE_NONE:
      name = "none";
      break;
    case AV_HWDEVICE_TYPE_VDPAU:
      name = "vdpau";
      break;
    case AV_HWDEVICE_TYPE_CUDA:
      name = "cuda";
      break;
    case AV_HWDEVICE_TYPE_VAAPI:
      name = "vaapi";
      break;
    case AV_HWDEVICE_TYPE_DXVA2:
      name = "dxva2";
      break;
    case AV_HWDEVICE_TYPE_QSV:
      name = "qsv";
      break;
    case AV_HWDEVICE_TYPE_VIDEOTOOLBOX:
      name = "videotoolbox";
      break;
    case AV_HWDEVICE_TYPE_D3D11VA:
      name = "d3d11va";
      break;
    case AV_HWDEVICE_TYPE_DRM:
      name = "drm";
      break;
    case AV_HWDEVICE_TYPE_OPENCL:
      name = "opencl";
      break;
    case AV_HWDEVICE_TYPE_MEDIACODEC:
      name = "mediacodec";
      break;
    case AV_HWDEVICE_TYPE_VULKAN:
      name = "vulkan";
      break;
    default:
      name = nullptr;
      break;
  }

  if (name == nullptr) {
    status = napi_get_null(env, &result);
  } else {
    status = napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &result);
  }
  CHECK_STATUS;
  return result;
}

napi_status fromHWDeviceContext(napi_env env, AVBufferRef* contextRef, napi_value* result) {
  napi_status status;
  napi_value jsHWDeviceContext, extContextRef, typeName;

  status = napi_create_object(env, &jsHWDeviceContext);
  PASS_STATUS;
  status = napi_create_string_utf8(env, "HWDeviceContext", NAPI_AUTO_LENGTH, &typeName);
  PASS_STATUS;
  status = napi_create_external(env, (void*)av_buffer_ref(contextRef), hwContextFinalizer, nullptr, &extContextRef);
  PASS_STATUS;
  liveAdd(LIVE_HW_CONTEXTS, 1);

  napi_property_descriptor desc[] = {
    { "type", nullptr, nullptr, nullptr, nullptr, typeName, napi_enumerable, nullptr },
    { "device_type", nullptr, nullptr, getHWDeviceCtxType, nullptr,
      nullptr, napi_enumerable, (void*)contextRef->data },
    { "_deviceContext", nullptr, nullptr, nullptr, nullptr, extContextRef, napi_default, nullptr }
  };
  status = napi_define_properties(env, jsHWDeviceContext, 3, desc);
  PASS_STATUS;

  *result = jsHWDeviceContext;
  return napi_ok;
}

napi_value getHWFramesCtxHWDeviceCtx(napi_env env, napi_callback_info info) {
  napi_status status;
  napi_value result;
  AVHWFramesContext* frames_context;

  status = napi_get_cb_info(env, info, 0, nullptr, nullptr, (void**) &frames_context);
  CHECK_STATUS;

  status = fromHWDeviceContext(env, frames_context->device_ref, &result);
  CHECK_STATUS;

  return result;
}

napi_value getHWFramesCtxInitialPoolSize(napi_env env, napi_callback_info info) {
  napi_status status;
  napi_value result;
  AVHWFramesContext* frames_context;

  status = napi_get_cb_info(env, info, 0, nullptr, nullptr, (void**) &frames_context);
  CHECK_STATUS;

  status = napi_create_uint32(env, frames_context->initial_pool_size, &result);
  CHECK_STATUS;

  return result;
}

napi_value getHWFramesCtxPixFmt(napi_env env, napi_callback_info info) {
  napi_status status;
  napi_value result;
  AVHWFramesContext* frames_context;

  status = napi_get_cb_info(env, info, 0, nullptr, nullptr, (void**) &frames_context);
  CHECK_STATUS;

  AVPixelFormat pixFmt = frames_context->format;
  status = napi_create_string_utf8(env, av_get_pix_fmt_name(pixFmt), NAPI_AUTO_LENGTH, &result);
  CHECK_STATUS;

  return result;
}

napi_value setHWFramesCtxPixFmt(napi_env env, napi_callback_info info) {
  napi_status status;
  napi_value result;
  napi_valuetype type;
  AVHWFramesContext* frames_context;
  char* name;
  size_t strLen;
  AVPixelFormat pixFmt;

  size_t argc = 1;
  napi_value args[1];
  status = napi_get_cb_info(env, info, &argc, args, nullptr, (void**) &frames_context);
  CHECK_STATUS;
  if (argc < 1) {
    NAPI_THROW_ERROR("A value is required to set the format property.");
  }
  status = napi_typeof(env, args[0], &type);
  CHECK_STATUS;
  if ((type == napi_null) || (type == napi_undefined)) {
    frames_context->format = AV_PIX_FMT_NONE;
    goto done;
  }
  if (type != napi_string) {
    NAPI_THROW_ERROR("A string is required to set the format property.");
  }
  status = napi_get_value_string_utf8(env, args[0], nullptr, 0, &strLen);
  CHECK_STATUS;
  name = (char*) malloc(sizeof(char) * (strLen + 1));
  status = napi_get_value_string_utf8(env, args[0], name, strLen + 1, &strLen);
  CHECK_STATUS;

  pixFmt = av_get_pix_fmt((const char *) name);
  free(name);
  CHECK_STATUS;
  if (pixFmt != AV_PIX_FMT_NONE) {
    frames_context->format = pixFmt;
  } else {
    NAPI_THROW_ERROR("Pixel format name is not known.");
  }

done:
  status = napi_get_undefined(env, &result);
  CHECK_STATUS;
  return result;
}

napi_value getHWFramesCtxSwPixFmt(napi_env env, napi_callback_info info) {
  napi_status status;
  napi_value result;
  AVHWFramesContext* frames_context;

  status = napi_get_cb_info(env, info, 0, nullptr, nullptr, (void**) &frames_context);
  CHECK_STATUS;

  AVPixelFormat pixFmt = frames_context->sw_format;
  status = napi_create_string_utf8(env, av_get_pix_fmt_name(pixFmt), NAPI_AUTO_LENGTH, &result);
  CHECK_STATUS;

  return result;
}

napi_value setHWFramesCtxSwPixFmt(napi_env env, napi_callback_info info) {
  napi_status status;
  napi_value result;
  napi_valuetype type;
  AVHWFramesContext* frames_context;
  char* name;
  size_t strLen;
  AVPixelFormat pixFmt;

  size_t argc = 1;
  napi_value args[1];
  status = napi_get_cb_info(env, info, &argc, args, nullptr, (void**) &frames_context);
  CHECK_STATUS;
  if (argc < 1) {
    NAPI_THROW_ERROR("A value is required to set the sw_format property.");
  }
  status = napi_typeof(env, args[0], &type);
  CHECK_STATUS;
  if ((type == napi_null) || (type == napi_undefined)) {
    frames_context->sw_format = AV_PIX_FMT_NONE;
    goto done;
  }
  if (type != napi_string) {
    NAPI_THROW_ERROR("A string is required to set the sw_format property.");
  }
  status = napi_get_value_string_utf8(env, args[0], nullptr, 0, &strLen);
  CHECK_STATUS;
  name = (char*) malloc(sizeof(char) * (strLen + 1));
  status = napi_get_value_string_utf8(env, args[0], name, strLen + 1, &strLen);
  CHECK_STATUS;

  pixFmt = av_get_pix_fmt((const char *) name);
  free(name);
  CHECK_STATUS;
  if (pixFmt != AV_PIX_FMT_NONE) {
    frames_context->sw_format = pixFmt;
  } else {
    NAPI_THROW_ERROR("Pixel format name is not known.");
  }

done:
  status = napi_get_undefined(env, &result);
  CHECK_STATUS;
  return result;
}

napi_value getHWFramesCtxWidth(napi_env env, napi_callback_info info) {
  napi_status status;
  napi_value result;
  AVHWFramesContext* frames_context;

  status = napi_get_cb_info(env, info, 0, nullptr, nullptr, (void**) &frames_context);
  CHECK_STATUS;

  status = napi_create_uint32(env, frames_context->width, &result);
  CHECK_STATUS;

  return result;
}

napi_value setHWFramesCtxWidth(napi_env env, napi_callback_info info) {
  napi_status status;
  napi_value result;
  napi_valuetype type;
  AVHWFramesContext* frames_context;

  size_t argc = 1;
  napi_value args[1];
  status = napi_get_cb_info(env, info, &argc, args, nullptr, (void**) &frames_context);
  CHECK_STATUS;
  if (argc < 1) {
    NAPI_THROW_ERROR("A value is required to set the width property.");
  }
  status = napi_typeof(env, args[0], &type);
  CHECK_STATUS;
  if (type != napi_number) {
    NAPI_THROW_ERROR("A number is required to set the width property.");
  }

  status = napi_get_value_int32(env, args[0], &frames_context->width);
  CHECK_STATUS;

  status = napi_get_undefined(env, &result);
  CHECK_STATUS;
  return result;
}

napi_value getHWFramesCtxHeight(napi_env env, napi_callback_info info) {
  napi_status status;
  napi_value result;
  AVHWFramesContext* frames_context;

  status = napi_get_cb_info(env, info, 0, nullptr, nullptr, (void**) &frames_context);
  CHECK_STATUS;

  status = napi_create_uint32(env, frames_context->height, &result);
  CHECK_STATUS;

  return result;
}

napi_value setHWFramesCtxHeight(napi_env env, napi_callback_info info) {
  napi_status status;
  napi_value result;
  napi_valuetype type;
  AVHWFramesContext* frames_context;

  size_t argc = 1;
  napi_value args[1];
  status = napi_get_cb_info(env, info, &argc, args, nullptr, (void**) &frames_context);
  CHECK_STATUS;
  if (argc < 1) {
    NAPI_THROW_ERROR("A value is required to set the height property.");
  }
  status = napi_typeof(env, args[0], &type);
  CHECK_STATUS;
  if (type != napi_number) {
    NAPI_THROW_ERROR("A number is required to set the height property.");
  }

  status = napi_get_value_int32(env, args[0], &frames_context->height);
  CHECK_STATUS;

  status = napi_get_undefined(env, &result);
  CHECK_STATUS;
  return result;
}

napi_status fromHWFramesContext(napi_env env, AVBufferRef* contextRef, napi_value* result) {
  napi_status status;
  napi_value jsHWFramesContext, extContextRef, typeName;

  status = napi_create_object(env, &jsHWFramesContext);
  PASS_STATUS;
  status = napi_create_string_utf8(env, "HWFramesContext", NAPI_AUTO_LENGTH, &typeName);
  PASS_STATUS;
  status = napi_create_external(env, (void*)av_buffer_ref(contextRef), hwContextFinalizer, nullptr, &extContextRef);
  PASS_STATUS;
  liveAdd(LIVE_HW_CONTEXTS, 1);

  napi_property_descriptor desc[] = {
    { "type", nullptr, nullptr, nullptr, nullptr, typeName, napi_enumerable, nullptr },
    { "device_context", nullptr, nullptr, getHWFramesCtxHWDeviceCtx, nullptr, nullptr,
      napi_enumerable, (void*)contextRef->data },
    { "initial_pool_size", nullptr, nullptr, getHWFramesCtxInitialPoolSize, nullptr, nullptr,
      napi_enumerable, (void*)contextRef->data },
    { "pix_fmt", nullptr, nullptr, getHWFramesCtxPixFmt, setHWFramesCtxPixFmt, nullptr,
      napi_enumerable, (void*)contextRef->data },
    { "sw_pix_fmt", nullptr, nullptr, getHWFramesCtxSwPixFmt, setHWFramesCtxSwPixFmt, nullptr,
      napi_enumerable, (void*)contextRef->data },
    { "width", nullptr, nullptr, getHWFramesCtxWidth, setHWFramesCtxWidth, nullptr,
      (napi_property_attributes) (napi_writable | napi_enumerable), (void*)contextRef->data },
    { "height", nullptr, nullptr, getHWFramesCtxHeight, setHWFramesCtxHeight, nullptr,
      (napi_property_attributes) (napi_writable | napi_enumerable), (void*)contextRef->data },
    { "_framesContext", nullptr, nullptr, nullptr, nullptr, extContextRef, napi_default, nullptr }
  };
  status = napi_define_properties(env, jsHWFramesContext, 8, desc);
  PASS_STATUS;

  *result = jsHWFramesContext;
  return napi_ok;
}

// beamflow: hardware contexts made from JavaScript. beamcoder could show a
// codec's device and frames contexts but not create them, so a VAAPI encoder
// (which takes only device frames) could not be opened. These four calls are
// the minimum: a device from a type and a path, a frames pool on it, and
// moving a frame up to it or back down. Failures throw with FFmpeg's message.

static napi_value throwAvError(napi_env env, const char* base, int ret) {
  char* msg = avErrorMsg(base, ret);
  napi_throw_error(env, nullptr, msg);
  free(msg);
  return nullptr;
}

static AVBufferRef* contextFromJS(napi_env env, napi_value obj, const char* prop) {
  napi_value ext;
  napi_valuetype type;
  AVBufferRef* ref = nullptr;
  if (napi_typeof(env, obj, &type) != napi_ok || type != napi_object) return nullptr;
  if (napi_get_named_property(env, obj, prop, &ext) != napi_ok) return nullptr;
  if (napi_typeof(env, ext, &type) != napi_ok || type != napi_external) return nullptr;
  if (napi_get_value_external(env, ext, (void**) &ref) != napi_ok) return nullptr;
  return ref;
}

AVBufferRef* hwDeviceFromJS(napi_env env, napi_value obj) {
  return contextFromJS(env, obj, "_deviceContext");
}

AVBufferRef* hwFramesFromJS(napi_env env, napi_value obj) {
  return contextFromJS(env, obj, "_framesContext");
}

static AVFrame* frameFromJS(napi_env env, napi_value obj) {
  napi_value ext;
  napi_valuetype type;
  frameData* f = nullptr;
  if (napi_typeof(env, obj, &type) != napi_ok || type != napi_object) return nullptr;
  if (napi_get_named_property(env, obj, "_frame", &ext) != napi_ok) return nullptr;
  if (napi_typeof(env, ext, &type) != napi_ok || type != napi_external) return nullptr;
  if (napi_get_value_external(env, ext, (void**) &f) != napi_ok) return nullptr;
  return f->frame;
}

// hwDeviceContext(type, device?): av_hwdevice_ctx_create.
napi_value hwDeviceContext(napi_env env, napi_callback_info info) {
  napi_status status;
  napi_value result;
  napi_valuetype type;
  size_t argc = 2;
  napi_value args[2];
  char typeName[32];
  char devicePath[256];
  size_t len;
  const char* device = nullptr;

  status = napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  CHECK_STATUS;
  if (argc < 1) NAPI_THROW_ERROR("hwDeviceContext requires a device type.");
  status = napi_typeof(env, args[0], &type);
  CHECK_STATUS;
  if (type != napi_string) NAPI_THROW_ERROR("hwDeviceContext requires a device type name.");
  status = napi_get_value_string_utf8(env, args[0], typeName, sizeof(typeName), &len);
  CHECK_STATUS;
  if (argc > 1) {
    status = napi_typeof(env, args[1], &type);
    CHECK_STATUS;
    if (type == napi_string) {
      status = napi_get_value_string_utf8(env, args[1], devicePath, sizeof(devicePath), &len);
      CHECK_STATUS;
      device = devicePath;
    } else if (type != napi_undefined && type != napi_null) {
      NAPI_THROW_ERROR("hwDeviceContext's device must be a string.");
    }
  }

  AVHWDeviceType devType = av_hwdevice_find_type_by_name(typeName);
  if (devType == AV_HWDEVICE_TYPE_NONE) {
    NAPI_THROW_ERROR("Unknown hardware device type.");
  }
  AVBufferRef* ref = nullptr;
  int ret = av_hwdevice_ctx_create(&ref, devType, device, nullptr, 0);
  if (ret < 0) {
    return throwAvError(env, "Failed to create the hardware device: ", ret);
  }
  status = fromHWDeviceContext(env, ref, &result);
  av_buffer_unref(&ref);
  CHECK_STATUS;
  return result;
}

static int getInt32Prop(napi_env env, napi_value obj, const char* name, int32_t* out) {
  bool has;
  napi_value v;
  if (napi_has_named_property(env, obj, name, &has) != napi_ok || !has) return 0;
  if (napi_get_named_property(env, obj, name, &v) != napi_ok) return -1;
  if (napi_get_value_int32(env, v, out) != napi_ok) return -1;
  return 1;
}

static AVPixelFormat getPixFmtProp(napi_env env, napi_value obj, const char* name) {
  bool has;
  napi_value v;
  char buf[32];
  size_t len;
  if (napi_has_named_property(env, obj, name, &has) != napi_ok || !has) return AV_PIX_FMT_NONE;
  if (napi_get_named_property(env, obj, name, &v) != napi_ok) return AV_PIX_FMT_NONE;
  if (napi_get_value_string_utf8(env, v, buf, sizeof(buf), &len) != napi_ok) return AV_PIX_FMT_NONE;
  return av_get_pix_fmt(buf);
}

// hwFramesContext(device, { pix_fmt, sw_pix_fmt, width, height, initial_pool_size? }).
napi_value hwFramesContext(napi_env env, napi_callback_info info) {
  napi_status status;
  napi_value result;
  size_t argc = 2;
  napi_value args[2];
  int32_t width = 0, height = 0, pool = 0;

  status = napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  CHECK_STATUS;
  if (argc < 2) NAPI_THROW_ERROR("hwFramesContext requires a device context and options.");
  AVBufferRef* device = hwDeviceFromJS(env, args[0]);
  if (device == nullptr) NAPI_THROW_ERROR("hwFramesContext requires a device context from hwDeviceContext.");
  AVPixelFormat hwFmt = getPixFmtProp(env, args[1], "pix_fmt");
  AVPixelFormat swFmt = getPixFmtProp(env, args[1], "sw_pix_fmt");
  if (hwFmt == AV_PIX_FMT_NONE || swFmt == AV_PIX_FMT_NONE) {
    NAPI_THROW_ERROR("hwFramesContext requires known pix_fmt and sw_pix_fmt names.");
  }
  if (getInt32Prop(env, args[1], "width", &width) != 1 || getInt32Prop(env, args[1], "height", &height) != 1
      || width <= 0 || height <= 0) {
    NAPI_THROW_ERROR("hwFramesContext requires a positive width and height.");
  }
  if (getInt32Prop(env, args[1], "initial_pool_size", &pool) < 0 || pool < 0) {
    NAPI_THROW_ERROR("hwFramesContext's initial_pool_size must be a non-negative integer.");
  }

  AVBufferRef* ref = av_hwframe_ctx_alloc(device);
  if (ref == nullptr) NAPI_THROW_ERROR("Failed to allocate a hardware frames context.");
  AVHWFramesContext* frames = (AVHWFramesContext*) ref->data;
  frames->format = hwFmt;
  frames->sw_format = swFmt;
  frames->width = width;
  frames->height = height;
  frames->initial_pool_size = pool;
  int ret = av_hwframe_ctx_init(ref);
  if (ret < 0) {
    av_buffer_unref(&ref);
    return throwAvError(env, "Failed to initialise the hardware frames context: ", ret);
  }
  status = fromHWFramesContext(env, ref, &result);
  av_buffer_unref(&ref);
  CHECK_STATUS;
  return result;
}

int hwUploadAVFrame(AVBufferRef* framesRef, const AVFrame* src, AVFrame** dst) {
  AVFrame* hw = av_frame_alloc();
  if (hw == nullptr) return AVERROR(ENOMEM);
  int ret = av_hwframe_get_buffer(framesRef, hw, 0);
  if (ret >= 0) ret = av_hwframe_transfer_data(hw, src, 0);
  if (ret >= 0) ret = av_frame_copy_props(hw, src);
  if (ret < 0) {
    av_frame_free(&hw);
    return ret;
  }
  *dst = hw;
  return 0;
}

int hwDownloadAVFrame(const AVFrame* src, AVFrame** dst) {
  AVFrame* sw = av_frame_alloc();
  if (sw == nullptr) return AVERROR(ENOMEM);
  int ret = av_hwframe_transfer_data(sw, src, 0);
  if (ret >= 0) ret = av_frame_copy_props(sw, src);
  if (ret < 0) {
    av_frame_free(&sw);
    return ret;
  }
  *dst = sw;
  return 0;
}

// hwUpload(frame, framesContext): a new device frame holding the frame's
// picture and properties. The Encoder path does the same on its worker thread.
napi_value hwUpload(napi_env env, napi_callback_info info) {
  napi_status status;
  napi_value result;
  size_t argc = 2;
  napi_value args[2];
  status = napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  CHECK_STATUS;
  if (argc < 2) NAPI_THROW_ERROR("hwUpload requires a frame and a hardware frames context.");
  AVFrame* src = frameFromJS(env, args[0]);
  AVBufferRef* frames = hwFramesFromJS(env, args[1]);
  if (src == nullptr || frames == nullptr) NAPI_THROW_ERROR("hwUpload requires a frame and a hardware frames context.");
  if (src->hw_frames_ctx != nullptr) NAPI_THROW_ERROR("hwUpload requires a frame in system memory.");
  frameData* f = new frameData;
  int ret = hwUploadAVFrame(frames, src, &f->frame);
  if (ret < 0) {
    delete f;
    return throwAvError(env, "Failed to upload the frame: ", ret);
  }
  status = fromAVFrame(env, f, &result);
  CHECK_STATUS;
  return result;
}

// hwDownload(frame): a system-memory copy of a device frame.
napi_value hwDownload(napi_env env, napi_callback_info info) {
  napi_status status;
  napi_value result;
  size_t argc = 1;
  napi_value args[1];
  status = napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  CHECK_STATUS;
  if (argc < 1) NAPI_THROW_ERROR("hwDownload requires a frame.");
  AVFrame* src = frameFromJS(env, args[0]);
  if (src == nullptr) NAPI_THROW_ERROR("hwDownload requires a frame.");
  if (src->hw_frames_ctx == nullptr) NAPI_THROW_ERROR("hwDownload requires a frame in device memory.");
  frameData* f = new frameData;
  int ret = hwDownloadAVFrame(src, &f->frame);
  if (ret < 0) {
    delete f;
    return throwAvError(env, "Failed to download the frame: ", ret);
  }
  status = fromAVFrame(env, f, &result);
  CHECK_STATUS;
  return result;
}
