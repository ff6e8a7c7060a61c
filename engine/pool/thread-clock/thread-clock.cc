// threadCpuNs() -> the calling thread's CPU time in nanoseconds (CLOCK_THREAD_CPUTIME_ID),
// or -1 when the clock cannot be read. Node 20 has no per-thread CPU clock of its own
// (process.cpuUsage() is the whole process; /proc/thread-self/schedstat advances only
// at scheduler ticks). Context-aware (NODE_MODULE_INIT), so pool workers can load it.
#include <node.h>
#include <time.h>

namespace {

void ThreadCpuNs(const v8::FunctionCallbackInfo<v8::Value>& args) {
  struct timespec ts;
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) {
    args.GetReturnValue().Set(-1.0);
    return;
  }
  args.GetReturnValue().Set(static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec));
}

}  // namespace

NODE_MODULE_INIT(/* exports, module, context */) {
  NODE_SET_METHOD(exports, "threadCpuNs", ThreadCpuNs);
}
