// The loaders of a user's own data: HDF5 (every element type and shape the format takes, chunked and
// compressed), CSV with a header, NumPy; the same data in the three gives the same dataset; a
// separate test set is renumbered to the training data's classes; each malformed input names the
// file and the dataset, line, column or byte at fault.
#include <hdf5.h>

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

#include "engine/class_labels.hpp"
#include "engine/dataset.hpp"
#include "tests/unit/temp_dir.hpp"

namespace dnnsweep {
namespace {

namespace fs = std::filesystem;

using test_support::TempDir;

void write_text(const std::string& path, const std::string& s) {
    std::ofstream f(path, std::ios::binary);
    f << s;
    ASSERT_TRUE(f.good()) << path;
}

// An HDF5 file written with the C API, as h5py would: N-d datasets of a native type.
class H5Writer {
public:
    explicit H5Writer(const std::string& path)
        : file_(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT)) {
        EXPECT_GE(file_, 0);
    }
    ~H5Writer() { H5Fclose(file_); }
    H5Writer(const H5Writer&) = delete;
    H5Writer& operator=(const H5Writer&) = delete;

    template <class T>
    void put(const std::string& name, hid_t type, std::vector<hsize_t> dims, const std::vector<T>& data,
             bool gzip = false) {
        const hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
        const hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
        H5Pset_create_intermediate_group(lcpl, 1);
        const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
        if (gzip) {
            std::vector<hsize_t> chunk(dims);
            chunk[0] = std::max<hsize_t>(1, dims[0] / 3);
            H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data());
            H5Pset_deflate(dcpl, 6);
        }
        const hid_t ds = H5Dcreate2(file_, name.c_str(), type, space, lcpl, dcpl, H5P_DEFAULT);
        ASSERT_GE(ds, 0) << name;
        ASSERT_GE(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), 0) << name;
        H5Dclose(ds);
        H5Pclose(dcpl);
        H5Pclose(lcpl);
        H5Sclose(space);
    }

    // Variable-length UTF-8 strings (h5py's default for str).
    void put_strings(const std::string& name, const std::vector<std::string>& values) {
        std::vector<const char*> ptrs;
        for (const std::string& v : values) ptrs.push_back(v.c_str());
        const hid_t type = H5Tcopy(H5T_C_S1);
        H5Tset_size(type, H5T_VARIABLE);
        H5Tset_cset(type, H5T_CSET_UTF8);
        put(name, type, {values.size()}, ptrs);
        H5Tclose(type);
    }

private:
    hid_t file_;
};

// A .npy file's bytes: format 1.0, the header padded to 64 bytes as numpy does.
std::string npy(const std::string& descr, const std::string& shape, const void* data, std::size_t bytes,
                const std::string& fortran = "False") {
    std::string dict = "{'descr': '" + descr + "', 'fortran_order': " + fortran + ", 'shape': " + shape + ", }";
    while ((10 + dict.size() + 1) % 64 != 0) dict += ' ';
    dict += '\n';
    std::string out = "\x93NUMPY";
    out += '\x01';
    out += '\x00';
    out += static_cast<char>(dict.size() & 0xFF);
    out += static_cast<char>(dict.size() >> 8);
    out += dict;
    out.append(static_cast<const char*>(data), bytes);
    return out;
}

template <class T>
std::string npy_of(const std::string& descr, const std::string& shape, const std::vector<T>& v) {
    return npy(descr, shape, v.data(), v.size() * sizeof(T));
}

template <typename F>
void expect_error(F&& f, std::initializer_list<std::string> parts) {
    try {
        f();
        ADD_FAILURE() << "no DataError";
    } catch (const DataError& e) {
        const std::string msg = e.what();
        EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
        for (const std::string& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
    }
}

// Six samples of three features, classes 0 1 2 twice.
const std::vector<float> kX = {0.5f, 1.f,  -2.f, 3.25f, 4.f,  5.f,  6.f,  7.f,  8.f,
                               9.f,  10.f, 11.f, 12.f,  13.f, 14.f, 15.f, 16.f, 17.5f};
const std::vector<std::int64_t> kY = {0, 1, 2, 2, 1, 0};

void expect_kx(const Dataset& d) {
    ASSERT_EQ(d.size(), 6u);
    ASSERT_EQ(d.features(), 3u);
    EXPECT_EQ(d.x.data, kX);
}

TEST(Hdf5Data, Float32FeaturesAndIntegerLabelsLoadExactly) {
    const TempDir dir;
    {
        H5Writer w(dir.file("d.h5"));
        w.put("X", H5T_NATIVE_FLOAT, {6, 3}, kX);
        w.put("y", H5T_NATIVE_INT64, {6}, kY);
    }
    const Dataset d = load_dataset(dir.file("d.h5"), LoadOptions{});
    expect_kx(d);
    EXPECT_EQ(d.y, (std::vector<std::int32_t>{0, 1, 2, 2, 1, 0}));
    EXPECT_EQ(d.classes, 3);
    EXPECT_TRUE(d.class_names.empty());
    EXPECT_EQ(d.source, dir.file("d.h5"));
}

TEST(Hdf5Data, Float64NdFeaturesFlattenAndAnyIntegerLabelsKeepTheirValues) {
    const TempDir dir;
    std::vector<double> x(5 * 2 * 3);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.25 * static_cast<double>(i);
    {
        H5Writer w(dir.file("d.hdf5"));
        w.put("images", H5T_NATIVE_DOUBLE, {5, 2, 3}, x);
        w.put("group/target", H5T_NATIVE_INT16, {5}, std::vector<std::int16_t>{10, -3, 7, 10, 7});
    }
    LoadOptions o;
    o.features = "images";
    o.labels = "/group/target";
    const Dataset d = load_dataset(dir.file("d.hdf5"), o);
    ASSERT_EQ(d.size(), 5u);
    ASSERT_EQ(d.features(), 6u);
    for (std::size_t i = 0; i < x.size(); ++i) EXPECT_EQ(d.x.data[i], static_cast<float>(x[i]));
    EXPECT_EQ(d.classes, 3);
    EXPECT_EQ(d.class_names, (std::vector<std::string>{"-3", "7", "10"}));
    EXPECT_EQ(d.y, (std::vector<std::int32_t>{2, 0, 1, 2, 1}));
    EXPECT_EQ(d.class_name(2), "10");
}

TEST(Hdf5Data, IntegerFeaturesOneHotLabelsChunkedAndGzipped) {
    const TempDir dir;
    std::vector<std::uint8_t> x(30);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<std::uint8_t>(i * 8);
    const std::vector<float> onehot = {0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0};
    {
        H5Writer w(dir.file("d.h5"));
        w.put("X", H5T_NATIVE_UINT8, {6, 5}, x, /*gzip=*/true);
        w.put("y", H5T_NATIVE_FLOAT, {6, 3}, onehot, /*gzip=*/true);
    }
    const Dataset d = load_dataset(dir.file("d.h5"), LoadOptions{});
    ASSERT_EQ(d.features(), 5u);
    for (std::size_t i = 0; i < x.size(); ++i) EXPECT_EQ(d.x.data[i], static_cast<float>(x[i]));
    EXPECT_EQ(d.y, (std::vector<std::int32_t>{1, 2, 0, 1, 2, 0}));
    EXPECT_EQ(d.classes, 3);
}

TEST(Hdf5Data, StringLabelsBecomeNamedClasses) {
    const TempDir dir;
    {
        H5Writer w(dir.file("d.h5"));
        w.put("X", H5T_NATIVE_FLOAT, {6, 3}, kX);
        w.put_strings("y", {"setosa", "versicolor", "virginica", "virginica", "versicolor", "setosa"});
    }
    const Dataset d = load_dataset(dir.file("d.h5"), LoadOptions{});
    EXPECT_EQ(d.class_names, (std::vector<std::string>{"setosa", "versicolor", "virginica"}));
    EXPECT_EQ(d.y, (std::vector<std::int32_t>{0, 1, 2, 2, 1, 0}));
}

TEST(Hdf5Data, MalformedFilesNameTheFileAndTheDataset) {
    const TempDir dir;
    const std::string f = dir.file("d.h5");
    std::vector<float> nan_x(kX);
    nan_x[4] = std::numeric_limits<float>::quiet_NaN();
    {
        H5Writer w(f);
        w.put("X", H5T_NATIVE_FLOAT, {6, 3}, kX);
        w.put("y", H5T_NATIVE_INT32, {6}, std::vector<std::int32_t>{0, 1, 2, 2, 1, 0});
        w.put("y3", H5T_NATIVE_INT32, {6, 1, 2}, std::vector<std::int32_t>(12, 1));
        w.put("y5", H5T_NATIVE_INT32, {5}, std::vector<std::int32_t>{0, 1, 0, 1, 0});
        w.put("yreal", H5T_NATIVE_DOUBLE, {6}, std::vector<double>{0, 1, 0.5, 1, 0, 1});
        w.put("yone", H5T_NATIVE_INT32, {6}, std::vector<std::int32_t>(6, 4));
        w.put("Xnan", H5T_NATIVE_FLOAT, {6, 3}, nan_x);
        w.put_strings("Xstr", {"a", "b", "c", "d", "e", "f"});
    }
    const auto with = [](const std::string& features, const std::string& labels) {
        LoadOptions o;
        o.features = features;
        o.labels = labels;
        return o;
    };
    expect_error([&] { load_dataset(f, with("features", "y")); },
                 {f, "no dataset 'features'", "/X, /Xnan, /Xstr, /y, /y3"});
    expect_error([&] { load_dataset(f, with("X", "y3")); }, {f, "labels 'y3'", "3 dimensions"});
    expect_error([&] { load_dataset(f, with("X", "y5")); }, {f, "labels 'y5' has 5 rows, the features 6"});
    expect_error([&] { load_dataset(f, with("X", "yreal")); }, {f, "labels 'yreal'[2] is 0.5, not an integer"});
    expect_error([&] { load_dataset(f, with("X", "yone")); }, {f, "class '4'", "at least two classes"});
    expect_error([&] { load_dataset(f, with("Xnan", "y")); }, {f, "features 'Xnan'[1, 1] is NaN"});
    expect_error([&] { load_dataset(f, with("Xstr", "y")); }, {f, "features 'Xstr' holds string"});
    const std::string fake = dir.file("fake.h5");
    write_text(fake, "1,2,0\n3,4,1\n");
    expect_error([&] { load_dataset(fake, LoadOptions{}); }, {fake, "byte 0", "not an HDF5 file"});
}

TEST(CsvData, HeaderDetectedStringLabelsNamed) {
    const std::string text =
        "sepal length,\"sepal, width\",species\n"
        "5.1,3.5,setosa\n"
        "7.0,3.2,\"versicolor\"\n"
        "\n"
        "6.3,3.3,virginica\n"
        "4.9,3.0,setosa\n";
    const Dataset d = load_csv_from_string(text, "iris.csv", LoadOptions{});
    ASSERT_EQ(d.size(), 4u);
    ASSERT_EQ(d.features(), 2u);
    EXPECT_EQ(d.x.data, (std::vector<float>{5.1f, 3.5f, 7.0f, 3.2f, 6.3f, 3.3f, 4.9f, 3.0f}));
    EXPECT_EQ(d.class_names, (std::vector<std::string>{"setosa", "versicolor", "virginica"}));
    EXPECT_EQ(d.y, (std::vector<std::int32_t>{0, 1, 2, 0}));
    EXPECT_TRUE(looks_like_csv(text, "iris.csv", LoadOptions{}));
}

TEST(CsvData, LabelColumnByNameOrIndexAndFeatureColumnsByName) {
    const std::string text = "label,a,b,c\n1,10,20,30\n3,11,21,31\n1,12,22,32\n";
    LoadOptions o;
    o.label_column = "label";
    o.feature_columns = {"c", "a"};
    const Dataset d = load_csv_from_string(text, "t.csv", o);
    EXPECT_EQ(d.x.data, (std::vector<float>{30, 10, 31, 11, 32, 12}));
    EXPECT_EQ(d.class_names, (std::vector<std::string>{"1", "3"}));
    EXPECT_EQ(d.y, (std::vector<std::int32_t>{0, 1, 0}));
    LoadOptions by_index;
    by_index.label_column = "1";
    EXPECT_EQ(load_csv_from_string(text, "t.csv", by_index).x.data,
              (std::vector<float>{10, 20, 30, 11, 21, 31, 12, 22, 32}));
    LoadOptions from_end;
    from_end.label_column = "-4";
    EXPECT_EQ(load_csv_from_string(text, "t.csv", from_end).y, d.y);
}

TEST(CsvData, HeaderForcedOffOrOnAndTabsSeparate) {
    LoadOptions no_header;
    no_header.header = false;
    const Dataset d = load_csv_from_string("1,2,cat\n3,4,dog\n", "t.csv", no_header);
    EXPECT_EQ(d.size(), 2u);
    EXPECT_EQ(d.class_names, (std::vector<std::string>{"cat", "dog"}));
    LoadOptions header;
    header.header = true;
    const Dataset h = load_csv_from_string("1\t2\t3\n4\t5\t0\n6\t7\t1\n", "t.tsv", header);
    EXPECT_EQ(h.x.data, (std::vector<float>{4, 5, 6, 7}));
    EXPECT_EQ(h.y, (std::vector<std::int32_t>{0, 1}));
}

TEST(CsvData, MalformedInputNamesLineAndColumn) {
    const LoadOptions o;
    expect_error([&] { load_csv_from_string("a,b,y\n1,2,0\n3,,1\n", "t.csv", o); },
                 {"t.csv: line 3, column 2 (b): the value is missing"});
    expect_error([&] { load_csv_from_string("a,b,y\n1,2,0\n3,x4,1\n", "t.csv", o); },
                 {"t.csv: line 3, column 2 (b): 'x4' is not a number"});
    expect_error([&] { load_csv_from_string("a,b,y\n1,2,0\n3,nan,1\n", "t.csv", o); },
                 {"t.csv: line 3, column 2 (b): 'nan' is not a finite number"});
    expect_error([&] { load_csv_from_string("a,b,y\n1,2,0\n3,4\n", "t.csv", o); },
                 {"t.csv: line 3 has 2 fields, expected 3 as the header (line 1)"});
    expect_error([&] { load_csv_from_string("a,b,y\n1,2,0\n3,4,\"1\n", "t.csv", o); },
                 {"t.csv: line 3, column 3: a quoted field is not closed"});
    expect_error([&] { load_csv_from_string("a,b,y\n1,2,0.5\n3,4,1\n", "t.csv", o); },
                 {"t.csv: line 2, column 3 (y): the label '0.5' is a number but not an integer"});
    expect_error([&] { load_csv_from_string("a,b,y\n", "t.csv", o); }, {"t.csv: no samples: only the header"});
    LoadOptions bad_label;
    bad_label.label_column = "species";
    expect_error([&] { load_csv_from_string("a,b,y\n1,2,0\n", "t.csv", bad_label); },
                 {"t.csv: label-column: no column named 'species' (the header has: a, b, y)"});
    LoadOptions bad_index;
    bad_index.label_column = "7";
    expect_error([&] { load_csv_from_string("a,b,y\n1,2,0\n", "t.csv", bad_index); },
                 {"t.csv: label-column: 7 is not a column"});
}

TEST(CsvData, HeaderlessNumericTextKeepsTheTextReader) {
    EXPECT_FALSE(looks_like_csv("1 2 0\n3 4 1\n5 x 0\n", "a.txt", LoadOptions{}));
    EXPECT_FALSE(looks_like_csv("# comment\n1,2,0,1\n", "a.csv", LoadOptions{}));
    EXPECT_TRUE(looks_like_csv("# comment\nx,y,label\n1,2,0\n", "a.txt", LoadOptions{}));
    const TempDir dir;
    write_text(dir.file("d.csv"), "1,2,0,1\n3,4,1,0\n");  // one-hot, as the text format reads it
    const Dataset d = load_dataset(dir.file("d.csv"), LoadOptions{});
    EXPECT_EQ(d.features(), 2u);
    EXPECT_EQ(d.y, (std::vector<std::int32_t>{1, 0}));
}

TEST(NpyData, FloatsIntegersAndStringsLoad) {
    const TempDir dir;
    std::vector<double> x64(kX.begin(), kX.end());
    write_text(dir.file("X.npy"), npy_of("<f8", "(6, 3)", x64));
    write_text(dir.file("y.npy"), npy_of("<i8", "(6,)", kY));
    const Dataset d = load_dataset(dir.file("X.npy") + "," + dir.file("y.npy"), LoadOptions{});
    expect_kx(d);
    EXPECT_EQ(d.y, (std::vector<std::int32_t>{0, 1, 2, 2, 1, 0}));
    // numpy's 'U' strings: UTF-32, padded with nulls.
    std::vector<std::uint32_t> u32(6 * 3, 0);
    const char* names[] = {"a", "bb", "a", "bb", "ccc", "a"};
    for (std::size_t i = 0; i < 6; ++i)
        for (std::size_t j = 0; j < std::strlen(names[i]); ++j)
            u32[i * 3 + j] = static_cast<unsigned char>(names[i][j]);
    const Dataset s = load_npy_from_buffers(npy_of("<f4", "(6, 3)", kX), npy_of("<U3", "(6,)", u32), "X", "y");
    EXPECT_EQ(s.class_names, (std::vector<std::string>{"a", "bb", "ccc"}));
    EXPECT_EQ(s.y, (std::vector<std::int32_t>{0, 1, 0, 1, 2, 0}));
}

TEST(NpyData, AnythingElseIsRefusedWithTheByte) {
    const std::string x = npy_of("<f4", "(6, 3)", kX);
    const std::string y = npy_of("<i8", "(6,)", kY);
    expect_error([&] { load_npy_from_buffers(x.substr(0, x.size() - 5), y, "X.npy", "y.npy"); },
                 {"X.npy: byte " + std::to_string(x.size() - 5), "truncated", "needs 72 bytes"});
    expect_error([&] { load_npy_from_buffers(npy_of(">f4", "(6, 3)", kX), y, "X.npy", "y.npy"); },
                 {"X.npy: byte", "big-endian"});
    expect_error([&] { load_npy_from_buffers(npy("<f4", "(6, 3)", kX.data(), 72, "True"), y, "X.npy", "y.npy"); },
                 {"X.npy: byte", "Fortran order"});
    expect_error([&] { load_npy_from_buffers(npy_of("<c8", "(9,)", kX), y, "X.npy", "y.npy"); },
                 {"X.npy: byte", "dtype '<c8' is not read"});
    expect_error([&] { load_npy_from_buffers("PK\x03\x04", y, "X.npy", "y.npy"); }, {"X.npy: byte 0", "not a NumPy"});
    const std::vector<std::int64_t> two_ones = {0, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1};
    expect_error([&] { load_npy_from_buffers(x, npy_of("<i8", "(6, 2)", two_ones), "X.npy", "y.npy"); },
                 {"y.npy: labels[1, 1] is a second 1", "one-hot"});
    expect_error([&] { load_npy_from_buffers(x, npy_of("<i8", "(5,)", kY), "X.npy", "y.npy"); },
                 {"y.npy: 5 labels for 6 samples"});
    // A uint64 label past 2^63-1 has no signed class value (found by fuzz.npy_header).
    const std::vector<std::uint64_t> huge = {0, 1, 2, 0, 1, 16638200000000000000ull};
    expect_error([&] { load_npy_from_buffers(x, npy_of("<u8", "(6,)", huge), "X.npy", "y.npy"); },
                 {"y.npy: label 16638200000000000000 is above 2^63-1"});
    std::vector<float> inf_x(kX);
    inf_x[17] = std::numeric_limits<float>::infinity();
    expect_error([&] { load_npy_from_buffers(npy_of("<f4", "(6, 3)", inf_x), y, "X.npy", "y.npy"); },
                 {"X.npy: features[5, 2] is infinite"});
    const TempDir dir;
    write_text(dir.file("X.npy"), x);
    expect_error([&] { load_dataset(dir.file("X.npy"), LoadOptions{}); },
                 {dir.file("X.npy"), "FEATURES.npy,LABELS.npy"});
}

TEST(UserData, TheSameDataInEveryFormatLoadsTheSame) {
    const TempDir dir;
    const std::vector<std::string> names = {"red", "white", "rose", "rose", "white", "red"};
    {
        H5Writer w(dir.file("d.h5"));
        w.put("X", H5T_NATIVE_FLOAT, {6, 3}, kX);
        w.put_strings("y", names);
    }
    std::string csv = "f1,f2,f3,wine\n";
    for (std::size_t r = 0; r < 6; ++r) {
        for (std::size_t c = 0; c < 3; ++c) csv += std::to_string(kX[r * 3 + c]) + ",";
        csv += names[r] + "\n";
    }
    write_text(dir.file("d.csv"), csv);
    std::vector<std::uint32_t> u32(6 * 5, 0);
    for (std::size_t i = 0; i < 6; ++i)
        for (std::size_t j = 0; j < names[i].size(); ++j) u32[i * 5 + j] = static_cast<unsigned char>(names[i][j]);
    write_text(dir.file("X.npy"), npy_of("<f4", "(6, 3)", kX));
    write_text(dir.file("y.npy"), npy_of("<U5", "(6,)", u32));
    const Dataset h = load_dataset(dir.file("d.h5"), LoadOptions{});
    for (const std::string& other : {dir.file("d.csv"), dir.file("X.npy") + "," + dir.file("y.npy")}) {
        const Dataset d = load_dataset(other, LoadOptions{});
        EXPECT_EQ(d.x.data, h.x.data) << other;
        EXPECT_EQ(d.y, h.y) << other;
        EXPECT_EQ(d.class_names, h.class_names) << other;
        EXPECT_EQ(d.classes, h.classes) << other;
    }
    EXPECT_EQ(h.class_names, (std::vector<std::string>{"red", "rose", "white"}));
}

TEST(UserData, TestSetTakesTheTrainingClassesByName) {
    const TempDir dir;
    write_text(dir.file("train.csv"), "a,b,kind\n1,2,x\n3,4,y\n5,6,z\n7,8,x\n");
    write_text(dir.file("test.csv"), "a,b,kind\n1,1,z\n2,2,z\n3,3,x\n");
    write_text(dir.file("narrow.csv"), "a,kind\n1,x\n2,y\n");
    write_text(dir.file("other.csv"), "a,b,kind\n1,1,z\n2,2,w\n");
    const Dataset train = load_dataset(dir.file("train.csv"), LoadOptions{});
    const Dataset test = load_test_dataset(dir.file("test.csv"), LoadOptions{}, train);
    EXPECT_EQ(test.y, (std::vector<std::int32_t>{2, 2, 0}));
    EXPECT_EQ(test.classes, 3);
    EXPECT_EQ(test.class_names, train.class_names);
    expect_error([&] { load_test_dataset(dir.file("narrow.csv"), LoadOptions{}, train); },
                 {dir.file("narrow.csv"), "has 1 features, the training data", "2"});
    expect_error([&] { load_test_dataset(dir.file("other.csv"), LoadOptions{}, train); },
                 {dir.file("other.csv"), "class 'w'", "does not have"});
}

TEST(UserData, FeaturesReadStraightIntoABufferMatchTheLoad) {
    const TempDir dir;
    {
        H5Writer w(dir.file("d.h5"));
        w.put("X", H5T_NATIVE_FLOAT, {6, 3}, kX, /*gzip=*/true);
        w.put("y", H5T_NATIVE_INT64, {6}, kY);
    }
    write_text(dir.file("X.npy"), npy_of("<f4", "(6, 3)", kX));
    write_text(dir.file("y.npy"), npy_of("<i8", "(6,)", kY));
    for (const std::string& spec : {dir.file("d.h5"), dir.file("X.npy") + "," + dir.file("y.npy")}) {
        std::vector<float> buf(18, -1.f);
        ASSERT_TRUE(read_features_into(spec, LoadOptions{}, buf.data(), 6, 3)) << spec;
        EXPECT_EQ(buf, kX) << spec;
        expect_error([&] { read_features_into(spec, LoadOptions{}, buf.data(), 5, 3); }, {"changed while being read"});
    }
    write_text(dir.file("t.csv"), "a,b,c,y\n1,2,3,0\n");
    std::vector<float> buf(3);
    EXPECT_FALSE(read_features_into(dir.file("t.csv"), LoadOptions{}, buf.data(), 1, 3));
}

}  // namespace
}  // namespace dnnsweep
