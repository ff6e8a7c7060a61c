// threadCpuNs(out: Float64Array) -> writes the calling thread's CPU time in nanoseconds
// (CLOCK_THREAD_CPUTIME_ID) to out[0], or -1 when the clock cannot be read. Node 20 has
// no per-thread CPU clock of its own (process.cpuUsage() is the whole process;
// /proc/thread-self/schedstat advances only at scheduler ticks). Context-aware
// (NODE_MODULE_INIT), so pool workers can load it.
//
// The time goes into a Float64Array rather than being returned: V8 turns a returned
// integral double into a small integer (Smi) while it fits — the first ~2.1 s of a
// thread's CPU time — and a heap number after, and JIT-compiled callers that had only
// seen small integers deoptimize when that changes (stage 1's task function did, over
// and over, once its worker passed 2.1 s). An element read from a Float64Array is
// always a double.
#include <node.h>
#include <time.h>
#include <cstring>

namespace {

void ThreadCpuNs(const v8::FunctionCallbackInfo<v8::Value>& args) {
  if (args.Length() < 1 || !args[0]->IsFloat64Array()) {
    v8::Isolate* isolate = args.GetIsolate();
    isolate->ThrowException(v8::Exception::TypeError(v8::String::NewFromUtf8Literal(isolate, "threadCpuNs(out): out must be a Float64Array")));
    return;
  }
  v8::Local<v8::Float64Array> out = args[0].As<v8::Float64Array>();
  if (out->Length() < 1) return;
  struct timespec ts;
  double ns = -1.0;
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0) ns = static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
  std::memcpy(static_cast<char*>(out->Buffer()->Data()) + out->ByteOffset(), &ns, sizeof ns);
}

}  // namespace

NODE_MODULE_INIT(/* exports, module, context */) {
  NODE_SET_METHOD(exports, "threadCpuNs", ThreadCpuNs);
}
