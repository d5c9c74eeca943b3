#include "runner/cli/command_line.hpp"

namespace dnnsweep {
namespace po = boost::program_options;

po::variables_map parse_command_line(const std::vector<std::string>& args, const po::options_description& options,
                                     std::string& positional) {
    po::options_description all(options);
    all.add_options()("file", po::value(&positional));
    po::positional_options_description positional_options;
    positional_options.add("file", 1);
    const int style = po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(all).positional(positional_options).style(style).run(), vm);
    po::notify(vm);
    return vm;
}

}  // namespace dnnsweep
