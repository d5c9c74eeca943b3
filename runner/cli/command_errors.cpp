#include "runner/cli/command_errors.hpp"

#include <algorithm>
#include <cctype>
#include <iostream>
#include <new>

#include "engine/config.hpp"
#include "engine/user_error.hpp"
#include "runner/sweep/exit_codes.hpp"

namespace dnnsweep {
namespace po = boost::program_options;
namespace {

bool is_option_name(const std::string& field, const po::options_description& options) {
    const bool plain = !field.empty() && std::ranges::all_of(field, [](unsigned char c) {
        return std::islower(c) || std::isdigit(c) || c == '-';
    });
    return plain && options.find_nothrow(field, false) != nullptr;
}

std::string prefix(std::string_view command) {
    return command.empty() ? "dnnsweep" : "dnnsweep " + std::string(command);
}

void report(std::string_view command, const std::string& message) {
    std::cerr << prefix(command) << ": error: " << message << std::endl;
}

}  // namespace

int exit_code_for(const std::exception& e) {
    const bool users_input = dynamic_cast<const UserError*>(&e) || dynamic_cast<const po::error*>(&e);
    return users_input ? exit_code::usage : exit_code::failure;
}

std::string error_message(const std::exception& e, const po::options_description& options) {
    std::string message = dynamic_cast<const std::bad_alloc*>(&e) ? "out of memory" : e.what();
    if (dynamic_cast<const ConfigError*>(&e)) {
        const auto colon = message.find(':');
        if (colon != std::string::npos && is_option_name(message.substr(0, colon), options)) message = "--" + message;
    }
    std::ranges::replace_if(
        message, [](char c) { return c == '\n' || c == '\r'; }, ' ');
    return message;
}

int run_command(std::string_view command, const po::options_description& options, const std::function<int()>& body) {
    try {
        return body();
    } catch (const po::error& e) {
        report(command, error_message(e, options) + " (see '" + prefix(command) + " --help')");
        return exit_code_for(e);
    } catch (const std::exception& e) {
        report(command, error_message(e, options));
        return exit_code_for(e);
    } catch (...) {
        report(command, "unexpected failure (unknown exception)");
        return exit_code::failure;
    }
}

}  // namespace dnnsweep
