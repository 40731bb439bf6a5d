package token

// weights returns the coefficients fitted for e. Conservative (and an
// unknown encoding) uses CL100K's: fitted to the larger count of the two
// families, the coefficients came out within 2% of the cl100k fit, because
// cl100k needs at least as many tokens as o200k on nearly every text.
//
// The numbers come from TestFit (see docs/tokens.md): a non-negative
// least-squares fit of the relative error against o200k_base and
// cl100k_base counts of CLINC150 utterances and the texts in testdata,
// scaled up by the smallest margin that leaves English and Chinese
// overcounted by at least 3% in total. Refit them rather than edit them.
func (e Encoding) weights() weights {
	if e == O200K {
		return weights{
			fHan:        0.7279,
			fHanRun:     0.7101,
			fKana:       0.5077,
			fHangul:     0.7448,
			fWidePunct:  0.1626,
			fWord2:      0.8793,
			fWord4:      1.0688,
			fWord6:      1.2894,
			fWord8:      1.2503,
			fWord10:     1.0064,
			fWord12:     1.2152,
			fWordLong:   1.0550,
			fLongLetter: 0.2762,
			fWideLetter: 0.1109,
			fDigitGroup: 1.4207,
			fPunct:      0.3447,
			fPunctRun:   0.2704,
			fNewlineRun: 0.3590,
			fSpaceRun:   2.1402,
			fLoneSpace:  0.7069,
			fOtherByte:  0.2334,
		}
	}
	return weights{
		fHan:        1.0659,
		fHanRun:     1.2886,
		fKana:       0.7185,
		fHangul:     1.2493,
		fWidePunct:  0.0000,
		fWord2:      0.9741,
		fWord4:      1.0410,
		fWord6:      1.3047,
		fWord8:      1.2691,
		fWord10:     1.1333,
		fWord12:     1.2230,
		fWordLong:   0.7699,
		fLongLetter: 0.2848,
		fWideLetter: 0.5151,
		fDigitGroup: 1.1411,
		fPunct:      0.1660,
		fPunctRun:   0.6218,
		fNewlineRun: 0.0000,
		fSpaceRun:   1.9552,
		fLoneSpace:  0.3392,
		fOtherByte:  0.7146,
	}
}
