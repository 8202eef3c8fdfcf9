// TorchSharp 0.107 hands libtorch a Scalar as a bare pointer and frees it in the managed Scalar's finalizer, so a
// collection during a native call can free an implicit Scalar (tensor + passes alpha = 1) while libtorch still reads it
// (environment.md; dotnet/TorchSharp PRs 1434 and 1496). The build hides libLibTorchSharp's own THSTorch_dispose_scalar
// (eng/native/PatchLibTorchSharp.cs) so that the dynamic linker finds this one, in a library it depends on: a Scalar is
// freed only after it has waited DelaySeconds, far longer than any native call that was handed it.
#include <chrono>
#include <deque>
#include <mutex>
#include <new>

namespace {
constexpr auto DelaySeconds = std::chrono::seconds(10);

struct Pending {
    void* scalar;
    std::chrono::steady_clock::time_point disposed;
};

std::mutex lock;
// Never destroyed: finalizers may still dispose Scalars while the process exits.
std::deque<Pending>& pending = *new std::deque<Pending>();
}  // namespace

// LibTorchSharp allocates each Scalar with `new torch::Scalar(number)`, whose destructor has nothing to release for a
// number, and frees it with `delete`: operator delete on the same pointer is what that does.
extern "C" __attribute__((visibility("default"))) void THSTorch_dispose_scalar(void* scalar) {
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard<std::mutex> guard(lock);
    pending.push_back({scalar, now});
    while (!pending.empty() && now - pending.front().disposed > DelaySeconds) {
        ::operator delete(pending.front().scalar);
        pending.pop_front();
    }
}
