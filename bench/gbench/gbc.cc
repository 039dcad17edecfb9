// The C shim over Google Benchmark; see gbc.h for the contract.
// Every entry point catches C++ exceptions: none may cross into C.
#include "gbc.h"

#include <benchmark/benchmark.h>

#include <cerrno>
#include <new>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

namespace {

benchmark::State &S(gbc_state *st) { return *reinterpret_cast<benchmark::State *>(st); }

// Captures Google Benchmark's JSON in memory so that the extra object can be
// spliced in and the file written atomically by the caller.
class CaptureReporter : public benchmark::JSONReporter {
public:
	explicit CaptureReporter(const gbc_output *out) : out_(out) { SetOutputStream(&buf_); }

	void Finalize() override
	{
		if (done_)
			return;
		done_ = true;
		// Out of memory, the stream stops taking text without a word and std::string throws: either
		// way the document is not whole, and a cut-off file must never be written.
		try {
			JSONReporter::Finalize();
			std::string doc = buf_.str();
			if (!buf_.good()) {
				sink_result_ = -ENOMEM;
				return;
			}
			char *extra = out_->extra ? out_->extra(out_->arg) : nullptr;
			if (extra) {
				// JSONReporter ends the document with "  ]\n}\n": the comma goes after
				// the benchmarks array, the object before the final brace.
				size_t brace = doc.rfind('}');
				size_t end = brace == std::string::npos ? brace : doc.find_last_not_of(" \n", brace - 1);
				std::string whole;
				try {
					if (end != std::string::npos)
						whole = doc.substr(0, end + 1) + ",\n  \"" + out_->extra_key + "\": " + extra +
							"\n" + doc.substr(brace);
				} catch (const std::bad_alloc &) {
					free(extra);
					throw;
				}
				free(extra);
				if (!whole.empty())
					doc.swap(whole);
			}
			sink_result_ = out_->sink ? out_->sink(doc.data(), doc.size(), out_->arg) : 0;
			if (!sink_result_ && out_->extra && !extra)
				sink_result_ = -ENODATA;
		} catch (const std::bad_alloc &) {
			sink_result_ = -ENOMEM;
		}
	}

	// The library's own statistics can be non-finite (the cv of a counter
	// that is 0 in every repetition is 0/0) and it would write them as NaN,
	// which is not JSON. Such counters are left out, as gbc_set_counter
	// refuses them; an aggregate whose time is not finite is left out whole.
	void ReportRuns(const std::vector<Run> &runs) override
	{
		std::vector<Run> kept;
		for (Run r : runs) {
			if (!std::isfinite(r.real_accumulated_time) || !std::isfinite(r.cpu_accumulated_time))
				continue;
			// A benchmark's own repetition count is not part of its name.
			r.run_name.repetitions.clear();
			for (auto it = r.counters.begin(); it != r.counters.end();)
				it = std::isfinite(it->second.value) ? std::next(it) : r.counters.erase(it);
			kept.push_back(r);
		}
		if (!kept.empty())
			JSONReporter::ReportRuns(kept);
	}

	int sink_result() const { return sink_result_; }
	bool started() const { return !buf_.str().empty(); }

private:
	const gbc_output *out_;
	std::ostringstream buf_;
	bool done_ = false;
	int sink_result_ = 0;
};

std::string version_string;

} // namespace

extern "C" {

int gbc_register(const char *name, gbc_fn *fn, void *arg, const gbc_bench_opts *opts)
{
	if (!name || !*name || !fn)
		return -EINVAL;
	try {
		auto *b = benchmark::RegisterBenchmark(
			name, [fn, arg](benchmark::State &st) { fn(reinterpret_cast<gbc_state *>(&st), arg); });
		if (opts) {
			if (opts->iterations > 0)
				b->Iterations(opts->iterations);
			if (opts->repetitions > 0)
				b->Repetitions(opts->repetitions);
			if (opts->manual_time)
				b->UseManualTime();
			static const benchmark::TimeUnit units[] = {benchmark::kNanosecond, benchmark::kMicrosecond,
								    benchmark::kMillisecond, benchmark::kSecond};
			b->Unit(units[opts->unit]);
		}
	} catch (...) {
		return -ENOMEM;
	}
	return 0;
}

bool gbc_keep_running(gbc_state *st) { return S(st).KeepRunning(); }

void gbc_set_iteration_time(gbc_state *st, double seconds) { S(st).SetIterationTime(seconds); }

int gbc_set_counter(gbc_state *st, const char *name, double value, unsigned flags)
{
	if (!std::isfinite(value))
		return -EDOM;
	try {
		S(st).counters[name] = benchmark::Counter(value, static_cast<benchmark::Counter::Flags>(flags));
	} catch (...) {
		return -ENOMEM;
	}
	return 0;
}

void gbc_set_label(gbc_state *st, const char *label) { S(st).SetLabel(label); }

void gbc_skip_with_error(gbc_state *st, const char *msg) { S(st).SkipWithError(msg); }

bool gbc_error_occurred(const gbc_state *st)
{
	return reinterpret_cast<const benchmark::State *>(st)->error_occurred();
}

void gbc_add_context(const char *key, const char *value)
{
	try {
		benchmark::AddCustomContext(key, value);
	} catch (...) {
	}
}

long gbc_run(const gbc_run_opts *opts, const gbc_output *out)
{
	try {
		std::string prog = "concur", reps = "--benchmark_repetitions=" + std::to_string(opts->repetitions);
		// A minimum time this small makes the first single iteration final.
		std::string min_time = "--benchmark_min_time=0.000000001";
		std::vector<char *> argv = {&prog[0]};
		if (opts->repetitions > 0)
			argv.push_back(&reps[0]);
		if (opts->one_iteration)
			argv.push_back(&min_time[0]);
		argv.push_back(nullptr);
		int argc = static_cast<int>(argv.size()) - 1;
		benchmark::Initialize(&argc, argv.data());
		CaptureReporter rep(out);
		size_t n = benchmark::RunSpecifiedBenchmarks(&rep, opts->filter ? std::string(opts->filter) : std::string());
		if (rep.started())
			rep.Finalize();
		if (rep.sink_result() < 0)
			return rep.sink_result();
		return static_cast<long>(n);
	} catch (...) {
		return -ENOMEM;
	}
}

const char *gbc_library_version(void)
{
#ifdef CONCUR_BENCHMARK_VERSION
	return CONCUR_BENCHMARK_VERSION;
#else
	return "unknown";
#endif
}

} // extern "C"
