// mapFile(path) -> SharedArrayBuffer over a read-only, private mmap of the file:
// page-cache pages, no copy. The backing store's deleter unmaps when V8 frees it.
// Node has no mmap-to-SharedArrayBuffer of its own; N-API cannot make a
// SharedArrayBuffer, hence the V8 API. Mapped memory is read-only: writing
// through a view is a segfault, so callers only read (bucket files are immutable).
#include <node.h>
#include <v8.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>

namespace {

// Mappings not yet unmapped. They go away only when V8 collects the buffer, which
// may be long after the last use when files are small (little heap pressure), and
// a process has a bounded number of mappings (vm.max_map_count): callers check this.
std::atomic<long> live{0};

void Unmap(void* data, size_t length, void*) {
  if (data != nullptr && length > 0) {
    munmap(data, length);
    live--;
  }
}

void LiveMappings(const v8::FunctionCallbackInfo<v8::Value>& args) {
  args.GetReturnValue().Set(static_cast<double>(live.load()));
}

void MapFile(const v8::FunctionCallbackInfo<v8::Value>& args) {
  v8::Isolate* isolate = args.GetIsolate();
  auto fail = [&](const std::string& what) {
    isolate->ThrowException(v8::Exception::Error(v8::String::NewFromUtf8(isolate, what.c_str()).ToLocalChecked()));
  };
  if (args.Length() < 1 || !args[0]->IsString()) return fail("mapFile(path): path must be a string");
  v8::String::Utf8Value path(isolate, args[0]);
  int fd = open(*path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(std::string("open ") + *path + ": " + strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int e = errno;
    close(fd);
    return fail(std::string("fstat ") + *path + ": " + strerror(e));
  }
  size_t length = static_cast<size_t>(st.st_size);
  void* data = nullptr;
  if (length > 0) {
    data = mmap(nullptr, length, PROT_READ, MAP_PRIVATE, fd, 0);
    if (data == MAP_FAILED) {
      int e = errno;
      close(fd);
      return fail(std::string("mmap ") + *path + ": " + strerror(e));
    }
  }
  close(fd);  // the mapping stays valid after close
  if (length > 0) live++;
  std::shared_ptr<v8::BackingStore> store = v8::SharedArrayBuffer::NewBackingStore(data, length, Unmap, nullptr);
  args.GetReturnValue().Set(v8::SharedArrayBuffer::New(isolate, std::move(store)));
}

void Init(v8::Local<v8::Object> exports) {
  NODE_SET_METHOD(exports, "mapFile", MapFile);
  NODE_SET_METHOD(exports, "liveMappings", LiveMappings);
}

}  // namespace

NODE_MODULE(NODE_GYP_MODULE_NAME, Init)
