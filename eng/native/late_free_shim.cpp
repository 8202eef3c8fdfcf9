// TorchSharp 0.107 hands libtorch bare pointers (a Tensor, a Scalar) and frees them in the managed object's finalizer.
// A wrapper that nothing references any more, such as the temporary in `a.t().normal_()` or the fresh Parameter that
// nn.Embedding's weight getter returns, is collectable while the native call it was handed still runs, so the
// finalizer thread can free what libtorch is reading (environment.md, "Finalizers"). Crashes seen: SIGSEGV in
// bump_version after an in-place normal_, "Inplace update to inference tensor outside InferenceMode" (the same freed
// at::Tensor read as zeros), and INTERNAL ASSERT FAILED in c10/core/Scalar.h.
//
// The build (eng/native/PatchLibTorchSharp.cs) makes libLibTorchSharp's own THSTensor_dispose and
// THSTorch_dispose_scalar undefined, so that the dynamic linker finds the two below in this library, which it depends
// on; the original THSTensor_dispose code stays reachable as THSTensor_free (a no-op export that TorchSharp never
// calls, re-pointed to it). A free that comes from .NET's finalizer thread waits DelaySeconds, far longer than any one
// native call; an explicit Dispose on any other thread frees at once, as before. CLIPUP_FREE_LATE=0 turns the delay off,
// to show what it prevents (tests/ClipUp.Tests/Runtime/FinalizerLifetimeTests.cs).
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <new>
#include <pthread.h>
#include <vector>

extern "C" void THSTensor_free(void* tensor);   // libLibTorchSharp's original THSTensor_dispose (re-pointed by the build)

namespace {
constexpr auto DelaySeconds = std::chrono::seconds(10);

struct Pending {
    void* pointer;
    void (*free)(void*);
    std::chrono::steady_clock::time_point disposed;
};

std::mutex lock;
// Never destroyed: finalizers may still run while the process exits.
std::deque<Pending>& pending = *new std::deque<Pending>();

// Whether this free waits: it comes from the finalizer thread and CLIPUP_FREE_LATE is not 0.
bool FreesLate() {
    static const bool enabled = [] {
        const char* setting = std::getenv("CLIPUP_FREE_LATE");
        return setting == nullptr || std::strcmp(setting, "0") != 0;
    }();
    // CoreCLR names its single finalizer thread ".NET Finalizer" before it runs any finalizer.
    thread_local const bool finalizer = [] {
        char name[16] = {};
        return pthread_getname_np(pthread_self(), name, sizeof name) == 0 && std::strcmp(name, ".NET Finalizer") == 0;
    }();
    return enabled && finalizer;
}

void FreeLate(void* pointer, void (*free)(void*)) {
    const auto now = std::chrono::steady_clock::now();
    std::vector<Pending> due;   // empty on most calls, and then it allocates nothing (a deque would)
    {
        std::lock_guard<std::mutex> guard(lock);
        pending.push_back({pointer, free, now});
        while (!pending.empty() && now - pending.front().disposed > DelaySeconds) {
            due.push_back(pending.front());
            pending.pop_front();
        }
    }
    for (auto& p : due) p.free(p.pointer);   // outside the lock: freeing a tensor can run arbitrary deleters
}

// LibTorchSharp allocates each Scalar with `new torch::Scalar(number)`, whose destructor has nothing to release for a
// number, and frees it with `delete`: operator delete on the same pointer is what that does.
void DeleteScalar(void* scalar) { ::operator delete(scalar); }
}  // namespace

extern "C" __attribute__((visibility("default"))) void THSTensor_dispose(void* tensor) {
    if (tensor == nullptr) return;
    if (FreesLate()) FreeLate(tensor, THSTensor_free);
    else THSTensor_free(tensor);
}

extern "C" __attribute__((visibility("default"))) void THSTorch_dispose_scalar(void* scalar) {
    if (scalar == nullptr) return;
    if (FreesLate()) FreeLate(scalar, DeleteScalar);
    else DeleteScalar(scalar);
}
