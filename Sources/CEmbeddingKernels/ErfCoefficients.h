// The rational approximation of erf every vector width uses (Eigen's and TensorFlow's, for floats,
// on x clamped to [-4, 4]; the same as MatrixKernels.erf on the fp32 path):
//     erf(x) ≈ x · P(x²) / Q(x²),
// P's coefficients highest power first, then Q's. Private to the target.
#ifndef CEK_ERF_COEFFICIENTS_H
#define CEK_ERF_COEFFICIENTS_H

#define CEK_ERF_P6 -2.72614225801306e-10f
#define CEK_ERF_P5 2.77068142495902e-08f
#define CEK_ERF_P4 -2.10102402082508e-06f
#define CEK_ERF_P3 -5.69250639462346e-05f
#define CEK_ERF_P2 -7.34990630326855e-04f
#define CEK_ERF_P1 -2.95459980854025e-03f
#define CEK_ERF_P0 -1.60960333262415e-02f
#define CEK_ERF_Q4 -1.45660718464996e-05f
#define CEK_ERF_Q3 -2.13374055278905e-04f
#define CEK_ERF_Q2 -1.68282697438203e-03f
#define CEK_ERF_Q1 -7.37332916720468e-03f
#define CEK_ERF_Q0 -1.42647390514189e-02f

#endif
